namespace Lifeboat;

/// <summary>What kind of failure an error is, which the CLI maps to an exit code.</summary>
public enum FailureKind
{
    /// <summary>An operation failed (exit 1).</summary>
    Failed = 1,

    /// <summary>The user's command line or configuration is wrong (exit 2).</summary>
    Usage = 2,

    /// <summary>Something is unhealthy or stale (exit 3).</summary>
    Unhealthy = 3,
}

/// <summary>
/// An error meant for the operator: what failed, on which object, and what to do about it. What to do comes in
/// plain words (<see cref="Hint"/>) and, where it takes a Lifeboat command, flag or configuration key, as a
/// <see cref="Remedy"/> the front end words: the core does not know how its caller spells them.
/// </summary>
public class LifeboatException : Exception
{
    /// <summary>Creates an error with a message that already names the object, and an optional hint.</summary>
    public LifeboatException(string message, string? hint = null, FailureKind kind = FailureKind.Failed, Exception? inner = null)
        : base(message, inner)
    {
        Hint = hint;
        Kind = kind;
    }

    /// <summary>What the user can do, in words that name no Lifeboat command, flag or configuration key; or null.</summary>
    public string? Hint { get; }

    /// <summary>What the user can do through Lifeboat itself, which the front end words after <see cref="Hint"/>; or null.</summary>
    public Remedy? Remedy { get; init; }

    /// <summary>The kind of failure, which decides the exit code.</summary>
    public FailureKind Kind { get; }
}
