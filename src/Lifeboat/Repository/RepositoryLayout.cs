namespace Lifeboat.Repository;

/// <summary>Where each kind of thing lives inside a repository; readable names an operator can browse.</summary>
public static class RepositoryLayout
{
    /// <summary>The repository description.</summary>
    public const string ConfigKey = "config";

    /// <summary>Key slots wrapping the data key.</summary>
    public const string KeysPrefix = "keys/";

    /// <summary>Lock records.</summary>
    public const string LocksPrefix = "locks/";

    /// <summary>The last object of every backup folder; its presence is what makes the backup exist.</summary>
    public const string ManifestName = "manifest";

    /// <summary>The folder of one backup, e.g. postgres/dev_platform/dumps/2026-02-15T020000Z-1a2b3c4d/.</summary>
    public static string BackupFolder(string source, string name, string kind, BackupId id) =>
        $"{source}/{name}/{KindFolder(kind)}/{id}/";

    /// <summary>The folder name a kind of backup is kept in.</summary>
    public static string KindFolder(string kind) => kind + "s";

    /// <summary>The folders listing walks to find backups of every source.</summary>
    public static IReadOnlyList<string> BackupRoots { get; } = ["postgres/"];

    /// <summary>Parses a manifest key back into its backup id, or null when the key is no manifest.</summary>
    public static BackupId? ManifestIdOf(string key)
    {
        if (!key.EndsWith("/" + ManifestName, StringComparison.Ordinal))
            return null;
        var parts = key.Split('/');
        if (parts.Length != 5)
            return null;
        return BackupId.IsWellFormed(parts[3]) ? new BackupId(parts[3]) : null;
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
