using Lifeboat.Repository;

namespace Lifeboat.Postgres.Wal;

/// <summary>
/// Where a source's WAL archive lies in the repository (FORMAT.md §4): no manifest per file, so that 37 days of
/// segments cost a backup listing nothing.
/// </summary>
public static class WalArchiveLayout
{
    /// <summary>The folder of one source's archive.</summary>
    public static string Root(string sourceName)
    {
        RepositoryLayout.ValidateSourceName(sourceName);
        return $"postgres/{sourceName}/wal/";
    }

    /// <summary>The record of which cluster the archive belongs to.</summary>
    public static string IdentityKey(string sourceName) => Root(sourceName) + "cluster";

    /// <summary>The object holding an archived file: segments, partial segments and backup labels under their timeline, history files apart.</summary>
    public static string FileKey(string sourceName, WalFileName name) => name.Kind == WalFileKind.History
        ? $"{Root(sourceName)}history/{name.Text}"
        : $"{Root(sourceName)}{name.Timeline:X8}/{name.Text}";

    /// <summary>The record beside a segment: its hash and what its commits and restore points were.</summary>
    public static string RecordKey(string sourceName, WalFileName name) => FileKey(sourceName, name) + ".record";

    /// <summary>The folder listing one timeline's segments.</summary>
    public static string TimelinePrefix(string sourceName, uint timeline) => $"{Root(sourceName)}{timeline:X8}/";
}
