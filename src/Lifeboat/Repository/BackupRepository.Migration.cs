using System.Text.Json;
using System.Text.Json.Nodes;
using Lifeboat.Format;
using Lifeboat.Storage;

namespace Lifeboat.Repository;

/// <summary>What a layout migration did.</summary>
/// <param name="FromVersion">The layout the repository had.</param>
/// <param name="ToVersion">The layout it has now.</param>
/// <param name="Migrated">Manifests moved into the catalog.</param>
/// <param name="Skipped">Old manifests that could not be read, each with why; they stay where they were.</param>
public sealed record MigrationReport(int FromVersion, int ToVersion, int Migrated, IReadOnlyList<string> Skipped);

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
    /// leaves layout 1 in force and is simply run again.
    /// </summary>
    public async Task<MigrationReport> MigrateAsync(IActivityReporter reporter, CancellationToken cancellationToken)
    {
        var from = Config.Version;
        if (from == RepositoryConfig.CurrentVersion)
            return new MigrationReport(from, from, 0, []);

        await using var held = await RepositoryLock.AcquireAsync(Store, LockScope.Repository, exclusive: true, "migrate", cancellationToken);
        using var work = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, held.Lost);
        try
        {
            return await MigrateFromVersion1Async(reporter, work.Token);
        }
        catch (OperationCanceledException) when (held.LostBecause is { } lost)
        {
            throw lost;
        }
    }

    private async Task<MigrationReport> MigrateFromVersion1Async(IActivityReporter reporter, CancellationToken cancellationToken)
    {
        var migrated = new List<string>();
        var skipped = new List<string>();
        // Layout 1 kept each manifest in its backup's data folder; finding them all means walking the data, once.
        await foreach (var info in Store.ListAsync("", cancellationToken))
        {
            if (!IsVersion1ManifestKey(info.Key))
                continue;
            try
            {
                var manifest = await ReadVersion1ManifestAsync(info.Key, cancellationToken);
                await CommitManifestAsync(manifest, cancellationToken);
                migrated.Add(info.Key);
                reporter.Event($"migrate: backup {manifest.Id} of {manifest.Source}/{manifest.Name} moved into the catalog");
            }
            catch (LifeboatException e) when (IsDamage(e))
            {
                skipped.Add($"{info.Key}: {e.Message}");
            }
        }

        var config = Config with { Version = RepositoryConfig.CurrentVersion };
        await PutPlainAsync(Store, RepositoryLayout.ConfigKey, JsonSerializer.SerializeToUtf8Bytes(config, RepositoryJson.Default.RepositoryConfig), cancellationToken);
        foreach (var key in migrated)
            await Store.DeleteAsync(key, cancellationToken);
        return new MigrationReport(1, RepositoryConfig.CurrentVersion, migrated.Count, skipped);
    }

    // <source>/<name>/<kind>s/<id>/manifest
    private static bool IsVersion1ManifestKey(string key)
    {
        var parts = key.Split('/');
        return parts.Length == 5 && parts[4] == "manifest" && BackupId.IsWellFormed(parts[3]);
    }

    private async Task<BackupManifest> ReadVersion1ManifestAsync(string key, CancellationToken cancellationToken)
    {
        var bytes = await ReadEncryptedAsync(key, cancellationToken);
        JsonObject json;
        try
        {
            json = JsonNode.Parse(bytes) as JsonObject ?? throw new JsonException("not a JSON object");
        }
        catch (JsonException e)
        {
            throw new DamagedRecordException($"object '{key}' is not a valid manifest: {e.Message}", inner: e) { Remedy = new(RemedyAction.FindDamagedObjects) };
        }

        // Layout 1 kept a source's details under a property named after the source ("postgres": {...}).
        if (json["source"]?.GetValue<string>() is { } source && json[source] is JsonNode details)
        {
            json.Remove(source);
            json["details"] = details;
        }

        json["formatVersion"] = BackupManifest.CurrentFormatVersion;
        var manifest = RepositoryJson.Parse(System.Text.Encoding.UTF8.GetBytes(json.ToJsonString()), RepositoryJson.Default.BackupManifest, key);
        var expected = RepositoryLayout.BackupFolder(manifest.Source, manifest.Name, manifest.Kind, new BackupId(manifest.Id)) + "manifest";
        if (expected != key)
            throw new DamagedRecordException($"manifest '{key}' describes backup {manifest.Id} of {manifest.Source}/{manifest.Name}, which belongs elsewhere");
        return manifest;
    }
}
