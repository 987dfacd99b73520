namespace Lifeboat;

/// <summary>
/// The outcome of one preflight check: what was checked, how it came out and, when it is not ok, what to do — in
/// plain words (<see cref="Hint"/>) and, where that goes through Lifeboat itself, as a <see cref="Remedy"/>.
/// </summary>
/// <param name="Name">What was checked, short: "repository", "locks", a source and an aspect of it.</param>
/// <param name="Status">How it came out.</param>
/// <param name="Detail">What was found, naming the object.</param>
public sealed record HealthCheck(string Name, HealthStatus Status, string Detail)
{
    /// <summary>What to do, in words that name no Lifeboat command, flag or configuration key; or null.</summary>
    public string? Hint { get; init; }

    /// <summary>What to do through Lifeboat itself, for the front end to word; or null.</summary>
    public Remedy? Remedy { get; init; }

    /// <summary>A check that found nothing wrong.</summary>
    public static HealthCheck Ok(string name, string detail) => new(name, HealthStatus.Ok, detail);

    /// <summary>A check that did not run because <paramref name="because"/>.</summary>
    public static HealthCheck Skip(string name, string because) => new(name, HealthStatus.Skipped, $"not checked: {because}");

    /// <summary>A failed check carrying the error's message, hint and remedy.</summary>
    public static HealthCheck Failed(string name, LifeboatException error) =>
        new(name, HealthStatus.Fail, error.Message.TrimEnd('.', ' ')) { Hint = error.Hint, Remedy = error.Remedy };
}
