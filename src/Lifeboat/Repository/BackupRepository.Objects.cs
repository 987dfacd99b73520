using System.Text.Json;
using Lifeboat.Format;
using Lifeboat.Storage;

namespace Lifeboat.Repository;

public sealed partial class BackupRepository
{
    // Below this a read-ahead task costs more than the overlap it buys.
    private const long ReadAheadFrom = 8L << 20;

    private const int ManifestReadsAtOnce = 8;

    /// <summary>Starts an encrypted object at <paramref name="key"/>; <paramref name="role"/> says what it is in the manifest.</summary>
    public Task<EncryptedObjectWriter> CreateObjectAsync(string key, string role, CancellationToken cancellationToken) =>
        CreateObjectAsync(key, role, Envelope, cancellationToken);

    /// <summary>Starts an encrypted object written with <paramref name="envelope"/>'s compression and chunking instead of the repository's.</summary>
    public async Task<EncryptedObjectWriter> CreateObjectAsync(string key, string role, EnvelopeOptions envelope, CancellationToken cancellationToken)
    {
        if (RepositoryLayout.IsLayout1ManifestPlace(key))
            throw new ArgumentException($"'{key}' is where layout 1 kept manifests; name the object otherwise", nameof(key));
        var upload = await Store.CreateAsync(key, cancellationToken);
        return new EncryptedObjectWriter(upload, new EnvelopeWriter(upload, _dataKey, envelope), role);
    }

    /// <summary>
    /// Writes <paramref name="plaintext"/> as a small encrypted object only if no object has <paramref name="key"/>:
    /// true when this call created it (see <see cref="IObjectStore.TryCreateNewAsync"/>). The envelope is sealed in
    /// memory first, so the condition applies to the one write that makes the object.
    /// </summary>
    public async Task<bool> TryCreateEncryptedAsync(string key, byte[] plaintext, CancellationToken cancellationToken)
    {
        if (RepositoryLayout.IsLayout1ManifestPlace(key))
            throw new ArgumentException($"'{key}' is where layout 1 kept manifests; name the object otherwise", nameof(key));
        using var sealedBytes = new MemoryStream();
        await using (var envelope = new EnvelopeWriter(sealedBytes, _dataKey, Envelope))
        {
            await envelope.WriteAsync(plaintext, cancellationToken);
            await envelope.FinishAsync(cancellationToken);
        }

        return await Store.TryCreateNewAsync(key, sealedBytes.GetBuffer().AsMemory(0, (int)sealedBytes.Length), cancellationToken);
    }

    /// <summary>Opens a data object for reading; the stream fails at its end unless length and SHA-256 match the manifest.</summary>
    public async Task<Stream> OpenObjectAsync(StoredObject stored, CancellationToken cancellationToken)
    {
        var raw = await Store.OpenReadAsync(stored.Key, null, cancellationToken);
        var readAhead = stored.SizeBytes >= ReadAheadFrom;
        return new VerifiedObjectStream(new EnvelopeReader(raw, KeyById, stored.Key, readAhead), raw, stored);
    }

    /// <summary>
    /// Opens an object no manifest describes (a WAL segment): the envelope still proves each chunk authentic and the
    /// object complete, but not that it is the object meant to lie under <paramref name="key"/>; the caller checks that.
    /// </summary>
    public async Task<Stream> OpenUnlistedObjectAsync(string key, CancellationToken cancellationToken)
    {
        var raw = await Store.OpenReadAsync(key, null, cancellationToken);
        return new EnvelopeReader(raw, KeyById, key);
    }

    /// <summary>Reads a small encrypted object whole (a manifest, a record beside unlisted objects).</summary>
    public async Task<byte[]> ReadEncryptedAsync(string key, CancellationToken cancellationToken)
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
        RepositoryLayout.ValidateManifestPlace(manifest.Source, manifest.Name, manifest.Kind, manifest.Id);
        await MarkCurrentLayoutAsync(cancellationToken);
        var key = ManifestKey(manifest);
        await using var writer = await CreateObjectAsync(key, "manifest", cancellationToken);
        await writer.Stream.WriteAsync(JsonSerializer.SerializeToUtf8Bytes(manifest, RepositoryJson.Default.BackupManifest), cancellationToken);
        await writer.CompleteAsync(cancellationToken);
    }

    /// <summary>
    /// Marks a layout 2 repository as layout 3 before its first backup with a sub-second id: an older build would not
    /// parse that id and would quietly take an older backup for the latest, where now it refuses the repository.
    /// Layout 1 is left to 'migrate', which must move its manifests first.
    /// </summary>
    private async Task MarkCurrentLayoutAsync(CancellationToken cancellationToken)
    {
        if (Config.Version != RepositoryConfig.OldestReadableVersion)
            return;
        var marked = Config with { Version = RepositoryConfig.CurrentVersion };
        await PutPlainAsync(Store, RepositoryLayout.ConfigKey, JsonSerializer.SerializeToUtf8Bytes(marked, RepositoryJson.Default.RepositoryConfig), cancellationToken);
        Config = marked;
    }

    /// <summary>The key of a backup's manifest.</summary>
    public static string ManifestKey(BackupManifest manifest) =>
        RepositoryLayout.ManifestKey(manifest.Source, manifest.Name, manifest.Kind, new BackupId(manifest.Id));

    /// <summary>Reads and verifies one manifest: it must decrypt and name the folder it lies in.</summary>
    public async Task<BackupManifest> ReadManifestAsync(string key, CancellationToken cancellationToken)
    {
        var bytes = await ReadEncryptedAsync(key, cancellationToken);
        BackupManifest manifest;
        try
        {
            manifest = RepositoryJson.Parse(bytes, RepositoryJson.Default.BackupManifest, key);
        }
        catch (DamagedRecordException) when (FormatVersionOf(bytes) > BackupManifest.CurrentFormatVersion)
        {
            // A newer format need not parse as this one, and must not be taken for damage.
            throw NewerFormat(key, FormatVersionOf(bytes)!.Value);
        }

        if (manifest.FormatVersion > BackupManifest.CurrentFormatVersion)
            throw NewerFormat(key, manifest.FormatVersion);
        if (ManifestKey(manifest) != key)
        {
            throw new DamagedRecordException(
                $"manifest '{key}' describes backup {manifest.Id} of {manifest.Source}/{manifest.Name}, which belongs elsewhere",
                "the manifest was moved or replaced")
            {
                Remedy = new(RemedyAction.CheckRepository),
            };
        }

        return manifest;
    }

    private static LifeboatException NewerFormat(string key, int version) =>
        new($"manifest '{key}' has format {version}, newer than this Lifeboat reads ({BackupManifest.CurrentFormatVersion})", "upgrade lifeboat");

    private static int? FormatVersionOf(byte[] json)
    {
        try
        {
            using var document = JsonDocument.Parse(json);
            return document.RootElement.ValueKind == JsonValueKind.Object
                && document.RootElement.TryGetProperty("formatVersion", out var version)
                && version.TryGetInt32(out var number) ? number : null;
        }
        catch (JsonException)
        {
            return null; // the full parse says what is wrong with it
        }
    }

    /// <summary>Every backup whose manifest verifies, oldest first; unreadable manifests go to <paramref name="onInvalid"/>.</summary>
    public Task<IReadOnlyList<BackupManifest>> ListBackupsAsync(Action<string, LifeboatException>? onInvalid, CancellationToken cancellationToken) =>
        ListBackupsAsync(null, null, onInvalid, cancellationToken);

    /// <summary>
    /// The backups of one source type (and name) whose manifests verify, oldest first; only their folder is listed
    /// and read. Null <paramref name="source"/> means every source.
    /// </summary>
    public async Task<IReadOnlyList<BackupManifest>> ListBackupsAsync(
        string? source, string? name, Action<string, LifeboatException>? onInvalid, CancellationToken cancellationToken)
    {
        var keys = await ManifestKeysAsync(source, name, null, cancellationToken);
        var manifests = new BackupManifest?[keys.Count];
        var errors = new LifeboatException?[keys.Count];
        // Manifests are small: on S3 each read is a round trip, so a few at a time keeps a long listing short.
        var options = new ParallelOptions { MaxDegreeOfParallelism = ManifestReadsAtOnce, CancellationToken = cancellationToken };
        await Parallel.ForEachAsync(Enumerable.Range(0, keys.Count), options, async (i, ct) =>
        {
            try
            {
                manifests[i] = await ReadManifestAsync(keys[i].Key, ct);
            }
            catch (LifeboatException e) when (onInvalid is not null && IsDamage(e))
            {
                errors[i] = e;
            }
        });

        var found = new List<BackupManifest>(keys.Count);
        for (var i = 0; i < keys.Count; i++)
        {
            if (manifests[i] is { } manifest)
                found.Add(manifest);
            else if (errors[i] is { } error)
                onInvalid!(keys[i].Key, error);
        }

        // By recorded start time: ids written to the second cannot order backups taken within one second.
        found.Sort((a, b) => a.StartedAt != b.StartedAt ? a.StartedAt.CompareTo(b.StartedAt) : new BackupId(a.Id).CompareTo(new BackupId(b.Id)));
        return found;
    }

    /// <summary>
    /// Finds one backup by id, by a unique prefix of its id or of its random suffix, or the newest of a source with
    /// "latest"; <paramref name="source"/> null means any, <paramref name="kind"/> null any kind (a restore of a dump
    /// names its kind, so that "latest" never means a base backup). Lists keys and reads only the manifest it returns
    /// (and the few it must compare or fall back on), so a restore starts as fast from thousands of backups as from one.
    /// </summary>
    public async Task<BackupManifest> FindBackupAsync(string? source, string? name, string idOrLatest, CancellationToken cancellationToken, string? kind = null)
    {
        var keys = await ManifestKeysAsync(source, name, kind, cancellationToken);
        var what = Describe(source, name, plural: false);
        if (idOrLatest != "latest")
            return await ReadManifestAsync(MatchId(keys, idOrLatest, source, name).Key, cancellationToken);

        if (keys.Count == 0)
        {
            throw new LifeboatException($"there is no {what} in {Store.Location}") { Remedy = new(RemedyAction.TakeBackup, source) };
        }

        return await NewestAsync(keys, cancellationToken);
    }

    /// <summary>
    /// The newest backup of <paramref name="source"/>/<paramref name="name"/>, as "latest" finds it, or null when it has
    /// none; throws as "latest" does when the newest is damaged.
    /// </summary>
    public async Task<BackupManifest?> FindNewestAsync(string source, string name, CancellationToken cancellationToken, string? kind = null)
    {
        var keys = await ManifestKeysAsync(source, name, kind, cancellationToken);
        return keys.Count == 0 ? null : await NewestAsync(keys, cancellationToken);
    }

    /// <summary>
    /// The backup an id names: the whole id, else the one backup whose id or random suffix starts with it. Several
    /// matches, of either kind, are an error naming them: a restore must never guess which backup was meant.
    /// </summary>
    private ManifestLocation MatchId(List<ManifestLocation> keys, string text, string? source, string? name)
    {
        if (string.IsNullOrWhiteSpace(text))
            throw new LifeboatException("an empty backup id names no backup", "give a backup id, or 'latest'", FailureKind.Usage);
        // A damaged manifest means that backup does not exist; but when it is the one asked for, its read says why.
        if (keys.FirstOrDefault(k => k.Id.Value == text) is { } exact)
            return exact;
        var matches = keys.Where(k => k.Id.Value.StartsWith(text, StringComparison.Ordinal)
            || (text.Length <= SuffixLength && k.Id.Suffix.StartsWith(text, StringComparison.Ordinal))).ToList();
        if (matches.Count == 1)
            return matches[0];
        if (matches.Count == 0)
            throw new LifeboatException($"there is no {Describe(source, name, plural: false)} with id '{text}' in {Store.Location}") { Remedy = new(RemedyAction.ListBackups) };

        const int Named = 10;
        var named = string.Join(", ", matches.Take(Named).Select(m => m.Id.Value)) + (matches.Count > Named ? $" and {matches.Count - Named} more" : "");
        throw new LifeboatException($"'{text}' could be any of {matches.Count} {Describe(source, name, plural: true)}: {named}", "give more characters of the id", FailureKind.Usage);
    }

    private static string Describe(string? source, string? name, bool plural) =>
        $"{(source is null ? "" : source + " ")}backup{(plural ? "s" : "")}{(name is null ? "" : $" of '{name}'")}";

    private const int SuffixLength = 8;

    /// <summary>
    /// The newest backup by recorded start time. Ids written to the microsecond order themselves; ids written to the
    /// second (before sub-second ids) cannot be told apart within their second, so those manifests are read and their
    /// recorded start times compared.
    /// </summary>
    private async Task<BackupManifest> NewestAsync(List<ManifestLocation> keys, CancellationToken cancellationToken)
    {
        var last = keys[^1];
        var rivals = keys.Where(k => k.Id.LatestPossibleTime > last.Id.Time).ToList();
        var read = new List<BackupManifest>(rivals.Count);
        foreach (var rival in rivals.AsEnumerable().Reverse())
        {
            try
            {
                read.Add(await ReadManifestAsync(rival.Key, cancellationToken));
            }
            catch (LifeboatException damage) when (IsDamage(damage))
            {
                // One that might be the newest is damaged: which one the operator meant by "latest" cannot be known.
                throw await NewestDamagedAsync(keys, rival, rivals.Count > 1, damage, cancellationToken);
            }
        }

        return read.MaxBy(m => (m.StartedAt, new BackupId(m.Id)))!;
    }

    /// <summary>
    /// "latest" must not quietly mean "an older one" because the newest manifest is damaged: the operator would restore
    /// older data than they think, and with --force replace newer data with it.
    /// </summary>
    private async Task<LifeboatException> NewestDamagedAsync(
        List<ManifestLocation> keys, ManifestLocation newest, bool mayBeNewest, LifeboatException damage, CancellationToken cancellationToken)
    {
        // Ids written to the second cannot tell which of one second's backups is the newest: say "may be".
        var what = mayBeNewest ? $"backup {newest.Id}, which may be the newest," : $"the newest backup {newest.Id}";
        var older = await NewestReadableAsync(keys.Where(k => k != newest), cancellationToken);
        var other = mayBeNewest ? "other" : "older";
        if (older is null)
        {
            return new LifeboatException(
                $"{what} is damaged ({damage.Message})",
                keys.Count == 1 ? "it is the only backup of it" : $"none of the {Math.Min(keys.Count - 1, OlderManifestsTried)} {(mayBeNewest ? "other backups" : "backups before it")} is readable either")
            {
                Remedy = new(RemedyAction.CheckRepository),
            };
        }

        return new LifeboatException($"{what} is damaged ({damage.Message}); refusing to take the {other} {older.Id} as 'latest'")
        {
            Remedy = new(RemedyAction.ChooseBackup, older.Id),
        };
    }

    // Enough to name a good backup in the hint when a few manifests went bad together, without reading a whole
    // history of damaged ones.
    private const int OlderManifestsTried = 10;

    private async Task<BackupManifest?> NewestReadableAsync(IEnumerable<ManifestLocation> olderFirst, CancellationToken cancellationToken)
    {
        foreach (var candidate in olderFirst.Reverse().Take(OlderManifestsTried))
        {
            try
            {
                return await ReadManifestAsync(candidate.Key, cancellationToken);
            }
            catch (LifeboatException e) when (IsDamage(e))
            {
                // Damaged too: the operator is told to run check; look further back.
            }
        }

        return null;
    }

    /// <summary>
    /// True for a manifest that was read but is no valid backup (it fails authentication, does not parse, lies in the
    /// wrong place, or vanished since the listing); false for a store that could not be reached, which must not be
    /// mistaken for damage.
    /// </summary>
    private static bool IsDamage(LifeboatException e) => e is EnvelopeCorruptException or DamagedRecordException or ObjectNotFoundException;

    /// <summary>
    /// The manifest keys of one source (and name), or of every source, ordered by backup id. One listing of the
    /// manifests' own prefix: no data object is ever walked to find a backup.
    /// </summary>
    private async Task<List<ManifestLocation>> ManifestKeysAsync(string? source, string? name, string? kind, CancellationToken cancellationToken)
    {
        var found = new List<ManifestLocation>();
        await foreach (var info in Store.ListAsync(RepositoryLayout.ManifestsOf(source, name, kind), cancellationToken))
        {
            if (RepositoryLayout.ManifestIdOf(info.Key) is { } id)
                found.Add(new ManifestLocation(info.Key, id));
        }

        // The same order as BackupId.CompareTo, with each id's time parsed once rather than at every comparison.
        return [.. found.OrderBy(k => k.Id.Time).ThenBy(k => k.Id.Value, StringComparer.Ordinal)];
    }

    private sealed record ManifestLocation(string Key, BackupId Id);
}
