namespace Lifeboat.Cli.Output;

/// <summary>
/// Prints <see cref="DetailSection"/>s: a heading, then aligned name/value lines or a table, both indented under it.
/// Plain aligned text without borders, so a pipe gets lines grep and awk take apart as a terminal shows them.
/// </summary>
internal static class DetailSectionWriter
{
    private const string Indent = "  ";

    private const string Gap = "  ";

    /// <summary>Writes each section to <paramref name="output"/>, a blank line before every one but the first.</summary>
    public static void Write(TextWriter output, IEnumerable<DetailSection> sections)
    {
        var first = true;
        foreach (var section in sections)
        {
            if (!first)
                output.WriteLine();
            first = false;
            output.WriteLine(section.Title);
            if (section.IsFacts)
                WriteRows(output, section.Rows, [new(""), new("")]);
            else if (section.Rows.Count == 0)
                output.WriteLine($"{Indent}none");
            else
                WriteRows(output, [[.. section.Columns.Select(c => c.Header)], .. section.Rows], section.Columns);
        }
    }

    private static void WriteRows(TextWriter output, IReadOnlyList<IReadOnlyList<string>> rows, IReadOnlyList<DetailColumn> columns)
    {
        var widths = columns.Select((_, i) => rows.Max(r => r[i].Length)).ToArray();
        foreach (var row in rows)
        {
            var cells = row.Select((cell, i) => columns[i].Numeric ? cell.PadLeft(widths[i]) : cell.PadRight(widths[i]));
            output.WriteLine(Indent + string.Join(Gap, cells).TrimEnd());
        }
    }
}
