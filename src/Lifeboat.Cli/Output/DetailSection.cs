namespace Lifeboat.Cli.Output;

/// <summary>
/// One section of a backup's account in human form: facts as name/value lines when it has no columns, else a table.
/// Sources build these and 'show' prints them, so every source reads alike.
/// </summary>
/// <param name="Title">The heading, e.g. "tables (3, 1200 rows)".</param>
/// <param name="Columns">The table's columns; empty for a section of facts.</param>
/// <param name="Rows">The facts (name, value) or the table's rows, one cell per column.</param>
internal sealed record DetailSection(string Title, IReadOnlyList<DetailColumn> Columns, IReadOnlyList<IReadOnlyList<string>> Rows)
{
    /// <summary>A section of name/value facts.</summary>
    public static DetailSection Facts(string title, params IEnumerable<(string Name, string Value)> facts) =>
        new(title, [], [.. facts.Select(f => (IReadOnlyList<string>)[f.Name, f.Value])]);

    /// <summary>True when the section prints as name/value lines rather than a table.</summary>
    public bool IsFacts => Columns.Count == 0;
}

/// <summary>A column of a <see cref="DetailSection"/>; numbers are right-aligned so their digits line up.</summary>
internal sealed record DetailColumn(string Header, bool Numeric = false);
