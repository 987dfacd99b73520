using System.Globalization;
using Lifeboat.Buckets.History;
using Lifeboat.Buckets.Index;
using Lifeboat.Cli.Output;
using Spectre.Console;

namespace Lifeboat.Cli.Sources.Buckets;

/// <summary>How 'versions' shows a key's history: a table, or its JSON summary.</summary>
internal static class BucketVersionsOutput
{
    /// <summary>Digits of a SHA-256 shown: enough to name a version of an unversioned source's history (at least 8).</summary>
    public const int ShortSha = 12;

    /// <summary>The table's rows of <paramref name="history"/>, as cells.</summary>
    public static IReadOnlyList<string[]> Rows(KeyVersions history) => [.. history.Rows.Select(row => Cells(row, history.SourceListed))];

    /// <summary>One row's cells: version, last modified, size, sha (short), state, at source, in Lifeboat.</summary>
    public static string[] Cells(KeyVersion row, bool sourceListed) =>
    [
        row.VersionId,
        row.LastModified.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss.fff", CultureInfo.InvariantCulture),
        row.DeleteMarker ? "-" : ByteSize.Format(row.Size),
        row.Sha256 is { Length: >= ShortSha } sha && !row.DeleteMarker ? sha[..ShortSha] : "-",
        StateText(row),
        !sourceListed ? "unknown" : row.AtSource ? "yes" : "expired",
        row.InLifeboat ? "yes" : "no",
    ];

    /// <summary>The table.</summary>
    public static Table Table(KeyVersions history)
    {
        var table = new Table().Border(TableBorder.Simple)
            .AddColumns("VERSION", "LAST MODIFIED (UTC)", "SIZE", "SHA256", "STATE", "AT SOURCE", "IN LIFEBOAT");
        // A version id is copied into 'cat --version': it never wraps.
        table.Columns[0].NoWrap();
        table.Columns[2].RightAligned();
        foreach (var cells in Rows(history))
            table.AddRow(cells.Select(Markup.Escape).ToArray());
        return table;
    }

    /// <summary>The JSON summary.</summary>
    public static BucketVersionsSummary Summary(KeyVersions history) => new(
        history.Key,
        history.Snapshot,
        history.SourceListed,
        history.SourceFailure?.Message,
        history.Notes,
        [.. history.Rows.Select(r => new BucketVersionSummary(
            r.VersionId, r.LastModified, r.Size, r.Sha256, StateWord(r.State), history.SourceListed ? r.AtSource : null, r.InLifeboat, r.Synthesized))]);

    private static string StateText(KeyVersion row) => row switch
    {
        { Synthesized: true } => "deleted (noticed by Lifeboat)",
        { State: VersionState.DeleteMarker } => "delete marker",
        { State: VersionState.Current } => "current",
        _ => "non-current",
    };

    private static string StateWord(VersionState state) => state switch
    {
        VersionState.DeleteMarker => "delete-marker",
        VersionState.Current => "current",
        _ => "non-current",
    };
}
