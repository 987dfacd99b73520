namespace Lifeboat.Repository;

/// <summary>
/// Where each kind of thing lives inside a repository (layout version 2, docs/FORMAT.md §4): the repository's own
/// records at the top, every manifest under <see cref="ManifestsPrefix"/>, and each source's data under the source's
/// type. Finding a backup lists manifests only, however many data objects (WAL segments, bucket content) there are.
/// </summary>
public static class RepositoryLayout
{
    /// <summary>The repository description.</summary>
    public const string ConfigKey = "config";

    /// <summary>Key slots wrapping the data key.</summary>
    public const string KeysPrefix = "keys/";

    /// <summary>Lock records.</summary>
    public const string LocksPrefix = "locks/";

    /// <summary>Every backup's manifest: manifests/&lt;source&gt;/&lt;name&gt;/&lt;kind&gt;/&lt;id&gt;. Its presence is what makes a backup exist.</summary>
    public const string ManifestsPrefix = "manifests/";

    /// <summary>Top-level names the repository keeps for itself; no source type may take one.</summary>
    public static IReadOnlySet<string> Reserved { get; } = new HashSet<string>(StringComparer.Ordinal) { "config", "keys", "locks", "manifests" };

    /// <summary>The data folder of one backup, e.g. postgres/dev_platform/dumps/2026-02-15T020000Z-1a2b3c4d/.</summary>
    public static string BackupFolder(string source, string name, string kind, BackupId id) =>
        $"{source}/{name}/{KindFolder(kind)}/{id}/";

    /// <summary>The folder name a kind of backup keeps its data in.</summary>
    public static string KindFolder(string kind) => kind + "s";

    /// <summary>The key of a backup's manifest.</summary>
    public static string ManifestKey(string source, string name, string kind, BackupId id) =>
        $"{ManifestsPrefix}{source}/{name}/{kind}/{id}";

    /// <summary>The prefix listing the manifests of one source type (and name), or of every source when both are null.</summary>
    public static string ManifestsOf(string? source, string? name) => (source, name) switch
    {
        (null, _) => ManifestsPrefix,
        (_, null) => $"{ManifestsPrefix}{source}/",
        _ => $"{ManifestsPrefix}{source}/{name}/",
    };

    /// <summary>Parses a manifest key back into its backup id, or null when the key is no manifest.</summary>
    public static BackupId? ManifestIdOf(string key)
    {
        if (!key.StartsWith(ManifestsPrefix, StringComparison.Ordinal))
            return null;
        var parts = key.Split('/');
        if (parts.Length != 5)
            return null;
        return BackupId.IsWellFormed(parts[4]) ? new BackupId(parts[4]) : null;
    }

    /// <summary>Rejects source names that would make unreadable or unsafe keys.</summary>
    public static void ValidateSourceName(string name)
    {
        if (name.Length is > 0 and <= 63 && name.All(c => char.IsAsciiLetterOrDigit(c) || c is '_' or '-' or '.') && name[0] != '.')
            return;
        throw new LifeboatException(
            $"source name '{name}' is not allowed",
            "use 1-63 letters, digits, '_', '-' or '.', not starting with '.'",
            FailureKind.Usage);
    }
}
