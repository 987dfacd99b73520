using System.Globalization;
using System.Security.Cryptography;
using Lifeboat.Repository;

namespace Lifeboat.Buckets.Content;

/// <summary>The keys of one bucket source's content in the repository: packs, catalog segments and run journals.</summary>
public sealed class BucketContentLayout
{
    /// <summary>The source type bucket backups are recorded under in the repository's manifests.</summary>
    public const string SourceType = "buckets";

    /// <summary>The manifest kind of a bucket snapshot.</summary>
    public const string SnapshotKind = "snapshot";

    private const int PackIdBytes = 16;

    /// <summary>The layout of the bucket source <paramref name="name"/>.</summary>
    public BucketContentLayout(string name)
    {
        RepositoryLayout.ValidateSourceName(name);
        Name = name;
        Root = $"buckets/{name}/";
    }

    /// <summary>The source's name.</summary>
    public string Name { get; }

    /// <summary>Where everything of this source lies.</summary>
    public string Root { get; }

    /// <summary>The prefix of every pack.</summary>
    public string PacksPrefix => Root + "packs/";

    /// <summary>The prefix of every catalog segment.</summary>
    public string CatalogPrefix => Root + "catalog/";

    /// <summary>The prefix of every run's journal.</summary>
    public string JournalsPrefix => Root + "journal/";

    /// <summary>A fresh random pack id: packs are never named by content, so two runs never race for a name.</summary>
    public static string NewPackId() => Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(PackIdBytes));

    /// <summary>The key of pack <paramref name="packId"/>, fanned out by its first two digits.</summary>
    public string PackKey(string packId) => $"{PacksPrefix}{packId[..2]}/{packId}";

    /// <summary>The pack id a key under <see cref="PacksPrefix"/> names, or null for anything else.</summary>
    public string? PackIdOf(string key)
    {
        if (!key.StartsWith(PacksPrefix, StringComparison.Ordinal))
            return null;
        var rest = key.AsSpan(PacksPrefix.Length);
        var slash = rest.IndexOf('/');
        if (slash != 2 || rest.Length != 3 + (PackIdBytes * 2))
            return null;
        var id = rest[3..].ToString();
        return id.StartsWith(rest[..2], StringComparison.Ordinal) ? id : null;
    }

    /// <summary>The key of catalog segment <paramref name="sequence"/> of run <paramref name="runId"/>.</summary>
    public string CatalogKey(BackupId runId, int sequence) =>
        string.Create(CultureInfo.InvariantCulture, $"{CatalogPrefix}{runId}-{sequence:000000}");

    /// <summary>The folder of run <paramref name="runId"/>'s journal.</summary>
    public string JournalFolder(BackupId runId) => $"{JournalsPrefix}{runId}/";

    /// <summary>The key of journal object <paramref name="sequence"/> of run <paramref name="runId"/>.</summary>
    public string JournalKey(BackupId runId, int sequence) =>
        string.Create(CultureInfo.InvariantCulture, $"{JournalFolder(runId)}{sequence:000000}");

    /// <summary>The key of the manifest run <paramref name="runId"/> commits when it completes.</summary>
    public string ManifestKey(BackupId runId) => RepositoryLayout.ManifestKey(SourceType, Name, SnapshotKind, runId);

    /// <summary>The run whose journal holds <paramref name="key"/>, or null when the key is not a journal object.</summary>
    public BackupId? JournalRunOf(string key)
    {
        if (!key.StartsWith(JournalsPrefix, StringComparison.Ordinal))
            return null;
        var rest = key[JournalsPrefix.Length..];
        var slash = rest.IndexOf('/', StringComparison.Ordinal);
        return slash > 0 && BackupId.IsWellFormed(rest[..slash]) ? new BackupId(rest[..slash]) : null;
    }
}
