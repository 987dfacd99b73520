namespace Lifeboat.Postgres;

/// <summary>Tables a preflight query found: the first few by name, and how many there are in all.</summary>
/// <param name="Named">The first few, schema-qualified and quoted as needed.</param>
/// <param name="Count">How many the query found.</param>
internal sealed record NamedTables(IReadOnlyList<string> Named, long Count)
{
    /// <summary>None.</summary>
    public static NamedTables None { get; } = new([], 0);

    /// <summary>"a, b and 3 more".</summary>
    public override string ToString() =>
        string.Join(", ", Named) + (Count > Named.Count ? $" and {Count - Named.Count} more" : "");
}
