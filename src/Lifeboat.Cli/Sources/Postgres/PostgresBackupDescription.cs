using System.Globalization;
using Lifeboat.Cli.Output;
using Lifeboat.Postgres;
using Lifeboat.Repository;

namespace Lifeboat.Cli.Sources.Postgres;

/// <summary>What a PostgreSQL dump recorded, as 'show' prints it: the server and tools, extensions, and each table's rows.</summary>
internal static class PostgresBackupDescription
{
    /// <summary>The dump's sections; null for a kind of PostgreSQL backup this build does not know.</summary>
    public static IReadOnlyList<DetailSection>? Of(BackupManifest manifest)
    {
        if (manifest.Kind != PostgresDumpBackup.Kind)
            return null;
        var info = PostgresDumpInfo.Of(manifest);
        return [Database(info), Extensions(info.Extensions), Tables(info.Tables)];
    }

    private static DetailSection Database(PostgresDumpInfo info) => DetailSection.Facts(
        "postgres",
        ("database", info.Database),
        ("server version", info.ServerVersion),
        ("pg_dump", info.PgDumpVersion),
        ("postgis", info.PostgisVersion ?? "not installed"),
        ("encoding", Recorded(info.Encoding)),
        ("collate", Recorded(info.Collate)),
        ("ctype", Recorded(info.CType)),
        ("snapshot", Recorded(info.Snapshot)),
        ("large objects", Count(info.LargeObjects)));

    private static DetailSection Extensions(IReadOnlyList<ExtensionInfo> extensions) => new(
        $"extensions ({extensions.Count})",
        [new("NAME"), new("VERSION"), new("SCHEMA")],
        [.. extensions.OrderBy(e => e.Name, StringComparer.Ordinal).Select(e => (IReadOnlyList<string>)[e.Name, e.Version, e.Schema])]);

    private static DetailSection Tables(IReadOnlyList<TableRowCount> tables)
    {
        // Sizes came with a later build; a table of "-" for an older dump would only be noise.
        var sized = tables.Any(t => t.Bytes is not null);
        IReadOnlyList<DetailColumn> columns = sized
            ? [new("TABLE"), new("ROWS", Numeric: true), new("SIZE", Numeric: true)]
            : [new("TABLE"), new("ROWS", Numeric: true)];
        var rows = tables
            .OrderBy(t => t.Schema, StringComparer.Ordinal).ThenBy(t => t.Table, StringComparer.Ordinal)
            .Select(t => sized
                ? (IReadOnlyList<string>)[t.QualifiedName, Count(t.Rows), t.Bytes is { } bytes ? ByteSize.Format(bytes) : "-"]
                : [t.QualifiedName, Count(t.Rows)])
            .ToList();
        return new($"tables ({tables.Count}, {Count(tables.Sum(t => t.Rows))} rows)", columns, rows);
    }

    // A manifest from before a field existed leaves it empty; the generated reader does not fill in the record's defaults.
    private static string Recorded(string? value) => string.IsNullOrEmpty(value) ? "not recorded" : value;

    private static string Count(long value) => value.ToString(CultureInfo.InvariantCulture);
}
