using System.CommandLine;
using System.Globalization;

namespace Lifeboat.Cli.Sources.Postgres;

/// <summary>restore pitr's --tablespace-map OID=DIR, repeatable: a tablespace restored into DIR rather than where it was.</summary>
internal static class TablespaceMapOption
{
    private const string Name = "--tablespace-map";

    /// <summary>A new option (one per command: options have one parent).</summary>
    public static Option<string[]> Create() => new(Name)
    {
        Description = "Restore a tablespace into DIR instead of where it was (OID=DIR, repeatable): its files go there and pg_tblspc/OID points there; DIR must be empty, or --force empties it",
        AllowMultipleArgumentsPerToken = false,
    };

    /// <summary>The map given, OID to full path; a value not of the form OID=DIR, or an OID given twice, is a usage error.</summary>
    public static IReadOnlyDictionary<uint, string> Parse(IEnumerable<string>? values)
    {
        var map = new Dictionary<uint, string>();
        foreach (var value in values ?? [])
        {
            var equals = value.IndexOf('=', StringComparison.Ordinal);
            if (equals <= 0 || equals == value.Length - 1 || !uint.TryParse(value.AsSpan(0, equals), NumberStyles.None, CultureInfo.InvariantCulture, out var oid))
            {
                throw new LifeboatException(
                    $"{Name} takes OID=DIR, such as 16384=/srv/postgresql/ts1, not '{value}'",
                    "a tablespace's OID names its link in the data directory's pg_tblspc",
                    FailureKind.Usage);
            }

            if (!map.TryAdd(oid, Path.TrimEndingDirectorySeparator(Path.GetFullPath(value[(equals + 1)..]))))
                throw new LifeboatException($"{Name} names tablespace {oid} twice", "give each tablespace one directory", FailureKind.Usage);
        }

        return map;
    }
}
