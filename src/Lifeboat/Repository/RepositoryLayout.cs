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
    public static string ManifestsOf(string? source, string? name, string? kind = null) => (source, name, kind) switch
    {
        (null, _, _) => ManifestsPrefix,
        (_, null, _) => $"{ManifestsPrefix}{source}/",
        (_, _, null) => $"{ManifestsPrefix}{source}/{name}/",
        _ => $"{ManifestsPrefix}{source}/{name}/{kind}/",
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

    /// <summary>
    /// True for a key where layout 1 kept a manifest: &lt;source&gt;/&lt;name&gt;/&lt;kind&gt;s/&lt;id&gt;/manifest. No data object may be
    /// written there, so that 'migrate' can never take a source's data for a manifest left behind.
    /// </summary>
    public static bool IsLayout1ManifestPlace(string key)
    {
        var parts = key.Split('/');
        return parts.Length == 5 && parts[4] == "manifest" && BackupId.IsWellFormed(parts[3])
            && parts[2].Length >= 2 && parts[2][^1] == 's' && !Reserved.Contains(parts[0]);
    }

    /// <summary>
    /// Refuses a manifest that could not be found again where it would be written: a source type or kind that is not a
    /// plain lowercase word, a reserved top-level name as source type (its data would land among the locks or key
    /// slots), or a name or id that would add folders to the key.
    /// </summary>
    public static void ValidateManifestPlace(string source, string name, string kind, string id)
    {
        if (!IsWord(source) || Reserved.Contains(source))
            throw new ArgumentException($"'{source}' cannot be a source type: use a lowercase word that is not one of {string.Join(", ", Reserved)}", nameof(source));
        if (!IsWord(kind))
            throw new ArgumentException($"'{kind}' cannot be a kind of backup: use a lowercase word", nameof(kind));
        if (!BackupId.IsWellFormed(id))
            throw new ArgumentException($"'{id}' is not a backup id", nameof(id));
        ValidateSourceName(name);
    }

    private static bool IsWord(string text) =>
        text.Length is > 0 and <= 32 && char.IsAsciiLetterLower(text[0]) && text.All(c => char.IsAsciiLetterLower(c) || char.IsAsciiDigit(c) || c == '-');

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
