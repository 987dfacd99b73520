namespace Lifeboat.Repository;

/// <summary>
/// What a lock covers: the whole repository, its key slots, or one source's backups. Two locks conflict only when
/// one of them is exclusive and their scopes overlap, so pruning one source never stops another source's backups.
/// </summary>
/// <param name="Value">"" for the whole repository, "keys", or "&lt;source&gt;/&lt;name&gt;".</param>
public readonly record struct LockScope(string Value)
{
    /// <summary>Everything in the repository (check, migrate).</summary>
    public static LockScope Repository { get; } = new("");

    /// <summary>The key slots (key add, key remove).</summary>
    public static LockScope Keys { get; } = new("keys");

    /// <summary>The backups of one configured source.</summary>
    public static LockScope Source(string source, string name) => new($"{source}/{name}");

    /// <summary>True when work under one scope can touch what the other covers.</summary>
    public bool Overlaps(LockScope other) => Value.Length == 0 || other.Value.Length == 0 || Value == other.Value;

    /// <inheritdoc />
    public override string ToString() => Value.Length == 0 ? "the whole repository" : Value;
}
