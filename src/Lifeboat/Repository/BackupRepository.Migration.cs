using System.Text.Json;
using System.Text.Json.Nodes;
using Lifeboat.Format;
using Lifeboat.Storage;

namespace Lifeboat.Repository;

/// <summary>What a layout migration did.</summary>
/// <param name="FromVersion">The layout the repository had.</param>
/// <param name="ToVersion">The layout it has now.</param>
/// <param name="Migrated">Manifests moved into the catalog.</param>
/// <param name="Damaged">Layout 1 manifests that could not be read, each with why; they were moved into the catalog as they
/// were, so 'list' and 'check' name them and "latest" refuses to pass over them.</param>
public sealed record MigrationReport(int FromVersion, int ToVersion, int Migrated, IReadOnlyList<string> Damaged);

public sealed partial class BackupRepository
{
    /// <summary>Opens a repository of this or an older layout, for the migration alone; everything else opens with <see cref="OpenAsync"/>.</summary>
    public static async Task<BackupRepository> OpenForMigrationAsync(IObjectStore store, Func<KeySecret> secretSource, EnvelopeOptions envelope, CancellationToken cancellationToken)
    {
        var config = await ReadConfigAsync(store, cancellationToken);
        return await UnlockAsync(store, config, secretSource, envelope, cancellationToken);
    }

    /// <summary>
    /// Brings a layout 1 repository to layout 2: each manifest is rewritten under manifests/ (its source's details
    /// moved from the property named after the source to "details"), then the config says layout 2, then the old
    /// manifests go. No data object is touched. Under an exclusive lock over the whole repository; a run cut short
    /// before the config is rewritten leaves layout 1 in force and is simply run again. On a layout 2 repository it
    /// still looks for layout 1 manifests (one written by an older Lifeboat that opened the repository just before a
    /// migration, or one left by a run cut short after the config) and moves them.
    /// </summary>
    public async Task<MigrationReport> MigrateAsync(IActivityReporter reporter, CancellationToken cancellationToken)
    {
        await using var held = await RepositoryLock.AcquireAsync(Store, LockScope.Repository, exclusive: true, "migrate", cancellationToken);
        using var work = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, held.Lost);
        MigrationReport report;
        try
        {
            report = await MigrateUnderLockAsync(reporter, work.Token);
        }
        catch (Exception) when (held.LostBecause is { } lost)
        {
            throw lost;
        }

        // Work that ended after the loss ran without the lock for a while; say so rather than report success.
        if (held.LostBecause is { } lostLate)
            throw lostLate;
        return report;
    }

    private async Task<MigrationReport> MigrateUnderLockAsync(IActivityReporter reporter, CancellationToken cancellationToken)
    {
        // Read again under the lock: another migrate may have finished between opening and locking.
        var config = await ReadConfigAsync(Store, cancellationToken);
        if (config.Version > RepositoryConfig.CurrentVersion)
        {
            throw new LifeboatException(
                $"the repository at {Store.Location} has layout version {config.Version}, which this Lifeboat cannot migrate", "upgrade lifeboat");
        }

        var migrated = new List<string>();
        var damaged = new List<string>();
        // Layout 1 kept each manifest in its backup's data folder; finding them all means walking the data, once.
        await foreach (var info in Store.ListAsync("", cancellationToken))
        {
            if (Version1ManifestTarget(info.Key) is not { } target)
                continue;
            // Already moved by an earlier run that was cut short: the catalog's copy stands, whatever the old one now holds.
            if (await Store.StatAsync(target, cancellationToken) is not null)
            {
                migrated.Add(info.Key);
                continue;
            }

            try
            {
                var manifest = await ReadVersion1ManifestAsync(info.Key, cancellationToken);
                await CommitManifestAsync(manifest, cancellationToken);
                reporter.Event($"migrate: backup {manifest.Id} of {manifest.Source}/{manifest.Name} moved into the catalog");
            }
            catch (LifeboatException e) when (IsDamage(e))
            {
                // Skipping it would hide a backup: gone from list and check, and "latest" would pass over it to an
                // older one. Moved as it is, it stays visible as damaged.
                await CopyRawAsync(info.Key, target, cancellationToken);
                damaged.Add($"{info.Key}: {e.Message}");
                reporter.Warning($"migrate: {info.Key} is damaged ({e.Message}); moved as it is to {target}");
            }

            migrated.Add(info.Key);
        }

        if (config.Version != RepositoryConfig.CurrentVersion)
        {
            var upgraded = config with { Version = RepositoryConfig.CurrentVersion };
            await PutPlainAsync(Store, RepositoryLayout.ConfigKey, JsonSerializer.SerializeToUtf8Bytes(upgraded, RepositoryJson.Default.RepositoryConfig), cancellationToken);
        }

        foreach (var key in migrated)
            await Store.DeleteAsync(key, cancellationToken);
        return new MigrationReport(config.Version, RepositoryConfig.CurrentVersion, migrated.Count, damaged);
    }

    /// <summary>Where a layout 1 manifest key (&lt;source&gt;/&lt;name&gt;/&lt;kind&gt;s/&lt;id&gt;/manifest) goes in layout 2, or null for any other key.</summary>
    internal static string? Version1ManifestTarget(string key)
    {
        if (!RepositoryLayout.IsLayout1ManifestPlace(key))
            return null;
        var parts = key.Split('/');
        return RepositoryLayout.ManifestKey(parts[0], parts[1], parts[2][..^1], new BackupId(parts[3]));
    }

    private async Task CopyRawAsync(string from, string to, CancellationToken cancellationToken)
    {
        await using var source = await Store.OpenReadAsync(from, null, cancellationToken);
        await using var upload = await Store.CreateAsync(to, cancellationToken);
        await source.CopyToAsync(upload, cancellationToken);
        await upload.CompleteAsync(cancellationToken);
    }

    private async Task<BackupManifest> ReadVersion1ManifestAsync(string key, CancellationToken cancellationToken)
    {
        var bytes = await ReadEncryptedAsync(key, cancellationToken);
        JsonObject json;
        try
        {
            json = JsonNode.Parse(bytes) as JsonObject ?? throw new JsonException("not a JSON object");
            // Layout 1 kept a source's details under a property named after the source ("postgres": {...}).
            if (json["source"]?.GetValue<string>() is { } source && json[source] is JsonNode details)
            {
                json.Remove(source);
                json["details"] = details;
            }
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException or FormatException)
        {
            throw new DamagedRecordException($"object '{key}' is not a valid manifest: {e.Message}", inner: e) { Remedy = new(RemedyAction.FindDamagedObjects) };
        }

        json["formatVersion"] = BackupManifest.CurrentFormatVersion;
        var manifest = RepositoryJson.Parse(System.Text.Encoding.UTF8.GetBytes(json.ToJsonString()), RepositoryJson.Default.BackupManifest, key);
        var expected = RepositoryLayout.BackupFolder(manifest.Source, manifest.Name, manifest.Kind, new BackupId(manifest.Id)) + "manifest";
        if (expected != key)
            throw new DamagedRecordException($"manifest '{key}' describes backup {manifest.Id} of {manifest.Source}/{manifest.Name}, which belongs elsewhere");
        return manifest;
    }
}
