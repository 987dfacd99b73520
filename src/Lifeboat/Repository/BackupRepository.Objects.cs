using System.Text.Json;
using Lifeboat.Format;

namespace Lifeboat.Repository;

public sealed partial class BackupRepository
{
    // Below this a read-ahead task costs more than the overlap it buys.
    private const long ReadAheadFrom = 8L << 20;

    /// <summary>Starts an encrypted object at <paramref name="key"/>; <paramref name="role"/> says what it is in the manifest.</summary>
    public async Task<EncryptedObjectWriter> CreateObjectAsync(string key, string role, CancellationToken cancellationToken)
    {
        var upload = await Store.CreateAsync(key, cancellationToken);
        return new EncryptedObjectWriter(upload, new EnvelopeWriter(upload, _dataKey, Envelope), role);
    }

    /// <summary>Opens a data object for reading; the stream fails at its end unless length and SHA-256 match the manifest.</summary>
    public async Task<Stream> OpenObjectAsync(StoredObject stored, CancellationToken cancellationToken)
    {
        var raw = await Store.OpenReadAsync(stored.Key, null, cancellationToken);
        var readAhead = stored.SizeBytes >= ReadAheadFrom;
        return new VerifiedObjectStream(new EnvelopeReader(raw, KeyById, stored.Key, readAhead), raw, stored);
    }

    /// <summary>Reads a small encrypted object whole (a manifest).</summary>
    private async Task<byte[]> ReadEncryptedAsync(string key, CancellationToken cancellationToken)
    {
        await using var raw = await Store.OpenReadAsync(key, null, cancellationToken);
        await using var reader = new EnvelopeReader(raw, KeyById, key);
        using var buffer = new MemoryStream();
        await reader.CopyToAsync(buffer, cancellationToken);
        return buffer.ToArray();
    }

    /// <summary>Writes the manifest, the last step of every backup: from this moment the backup exists.</summary>
    public async Task CommitManifestAsync(BackupManifest manifest, CancellationToken cancellationToken)
    {
        var key = ManifestKey(manifest);
        await using var writer = await CreateObjectAsync(key, "manifest", cancellationToken);
        await writer.Stream.WriteAsync(JsonSerializer.SerializeToUtf8Bytes(manifest, RepositoryJson.Default.BackupManifest), cancellationToken);
        await writer.CompleteAsync(cancellationToken);
    }

    /// <summary>The key of a backup's manifest.</summary>
    public static string ManifestKey(BackupManifest manifest) =>
        RepositoryLayout.BackupFolder(manifest.Source, manifest.Name, manifest.Kind, new BackupId(manifest.Id)) + RepositoryLayout.ManifestName;

    /// <summary>Reads and verifies one manifest: it must decrypt and name the folder it lies in.</summary>
    public async Task<BackupManifest> ReadManifestAsync(string key, CancellationToken cancellationToken)
    {
        var manifest = RepositoryJson.Parse(await ReadEncryptedAsync(key, cancellationToken), RepositoryJson.Default.BackupManifest, key);
        if (ManifestKey(manifest) != key)
        {
            throw new LifeboatException(
                $"manifest '{key}' describes backup {manifest.Id} of {manifest.Source}/{manifest.Name}, which belongs elsewhere",
                "the manifest was moved or replaced; run 'lifeboat check'");
        }

        return manifest;
    }

    /// <summary>Every backup whose manifest verifies, oldest first; unreadable manifests go to <paramref name="onInvalid"/>.</summary>
    public async Task<IReadOnlyList<BackupManifest>> ListBackupsAsync(Action<string, LifeboatException>? onInvalid, CancellationToken cancellationToken)
    {
        var found = new List<BackupManifest>();
        foreach (var root in RepositoryLayout.BackupRoots)
        {
            await foreach (var info in Store.ListAsync(root, cancellationToken))
            {
                if (RepositoryLayout.ManifestIdOf(info.Key) is null)
                    continue;
                try
                {
                    found.Add(await ReadManifestAsync(info.Key, cancellationToken));
                }
                catch (LifeboatException e) when (onInvalid is not null)
                {
                    onInvalid(info.Key, e);
                }
            }
        }

        found.Sort((a, b) => string.CompareOrdinal(a.Id, b.Id));
        return found;
    }

    /// <summary>Finds one backup by id, or the newest of a source with "latest"; <paramref name="source"/> null means any.</summary>
    public async Task<BackupManifest> FindBackupAsync(string? source, string? name, string idOrLatest, CancellationToken cancellationToken)
    {
        var invalid = new Dictionary<string, LifeboatException>();
        var all = await ListBackupsAsync((key, error) => invalid[key] = error, cancellationToken);
        var candidates = all.Where(m => (source is null || m.Source == source) && (name is null || m.Name == name)).ToList();
        var what = $"{source ?? "any"} backup{(name is null ? "" : $" of '{name}'")}";
        if (idOrLatest == "latest")
        {
            var latest = candidates.LastOrDefault() ?? throw new LifeboatException(
                $"there is no {what} in {Store.Location}",
                $"take one with 'lifeboat backup {source ?? "postgres"}', or list what exists with 'lifeboat list'");
            ThrowIfNewerDamaged(invalid, latest, source, name);
            return latest;
        }

        // A damaged manifest means that backup does not exist; but when it is the one asked for, say why.
        var damaged = invalid.FirstOrDefault(e => RepositoryLayout.ManifestIdOf(e.Key)?.Value == idOrLatest);
        if (damaged.Value is not null)
            throw damaged.Value;
        return candidates.FirstOrDefault(m => m.Id == idOrLatest) ?? throw new LifeboatException(
            $"there is no {what} with id '{idOrLatest}' in {Store.Location}",
            "list the backups with 'lifeboat list'");
    }

    // "latest" must not quietly mean "an older one" because the newest manifest is damaged: the operator
    // would restore older data than they think, and with --force replace newer data with it.
    private static void ThrowIfNewerDamaged(Dictionary<string, LifeboatException> invalid, BackupManifest latest, string? source, string? name)
    {
        foreach (var (key, error) in invalid)
        {
            var parts = key.Split('/');
            var id = RepositoryLayout.ManifestIdOf(key);
            if (id is null || (source is not null && parts[0] != source) || (name is not null && parts[1] != name))
                continue;
            if (string.CompareOrdinal(id.Value.Value, latest.Id) <= 0)
                continue;
            throw new LifeboatException(
                $"the newest backup {id} is damaged ({error.Message}); refusing to take the older {latest.Id} as 'latest'",
                $"name a backup explicitly with --backup {latest.Id} if that is what you want, and run 'lifeboat check'");
        }
    }
}
