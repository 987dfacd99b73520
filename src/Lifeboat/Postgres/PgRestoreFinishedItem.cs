using System.Globalization;

namespace Lifeboat.Postgres;

/// <summary>pg_restore --verbose's report that it has finished an archive item: "finished item N DESC TAG".</summary>
internal readonly record struct PgRestoreFinishedItem(int DumpId, string Description)
{
    private const string Marker = "finished item ";
    private const string TableData = "TABLE DATA ";

    /// <summary>
    /// The table whose rows the item loaded, as pg_restore names it (by tag, without its schema); null when the
    /// item is not a table's data.
    /// </summary>
    // The description and the tag are both free text with spaces, so only a known description can be split off.
    public string? TableDataTag => Description.StartsWith(TableData, StringComparison.Ordinal) ? Description[TableData.Length..] : null;

    /// <summary>Reads a line of pg_restore's stderr; false when it is not a finished-item line.</summary>
    public static bool TryParse(string line, out PgRestoreFinishedItem item)
    {
        item = default;
        var at = line.IndexOf(Marker, StringComparison.Ordinal);
        if (at < 0)
            return false;
        var rest = line.AsSpan(at + Marker.Length);
        var end = rest.IndexOf(' ');
        if (end <= 0 || !int.TryParse(rest[..end], NumberStyles.None, CultureInfo.InvariantCulture, out var dumpId))
            return false;
        item = new PgRestoreFinishedItem(dumpId, rest[(end + 1)..].ToString());
        return true;
    }
}
