using System.Security.Cryptography;
using Lifeboat.Format;
using Lifeboat.Storage;

namespace Lifeboat.Repository;

/// <summary>An opened, unlocked repository: encrypted objects, manifests and key slots over an object store.</summary>
public sealed partial class BackupRepository : IAsyncDisposable
{
    private readonly DataKey _dataKey;

    private BackupRepository(IObjectStore store, RepositoryConfig config, DataKey dataKey, string openedSlotId, EnvelopeOptions envelope)
    {
        Store = store;
        Config = config;
        _dataKey = dataKey;
        OpenedSlotId = openedSlotId;
        Envelope = envelope;
    }

    /// <summary>The store the repository lives in.</summary>
    public IObjectStore Store { get; }

    /// <summary>The repository's description.</summary>
    public RepositoryConfig Config { get; private set; }

    /// <summary>How new objects are compressed and chunked.</summary>
    public EnvelopeOptions Envelope { get; }

    /// <summary>The key slot the configured secret opened; 'key remove' refuses to remove it.</summary>
    public string OpenedSlotId { get; }

    /// <summary>Creates a new repository; refuses when one already exists at the store, or a passphrase too short for a new slot.</summary>
    public static async Task<BackupRepository> InitAsync(IObjectStore store, KeySecret secret, EnvelopeOptions envelope, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(secret);
        secret.ThrowIfTooWeakForNewSlot();
        await ThrowIfExistsAsync(store, cancellationToken);

        var dataKey = DataKey.Generate();
        var slot = KeySlot.Create(dataKey, secret);
        await PutPlainAsync(store, RepositoryLayout.KeysPrefix + slot.Id, slot.ToJson(), cancellationToken);
        var config = new RepositoryConfig
        {
            Id = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(8)),
            CreatedAt = DateTimeOffset.UtcNow,
            DataKeyId = dataKey.Id,
        };
        // The config goes last: a repository whose init crashed has no config and can simply be initialised again.
        await PutPlainAsync(store, RepositoryLayout.ConfigKey, System.Text.Json.JsonSerializer.SerializeToUtf8Bytes(config, RepositoryJson.Default.RepositoryConfig), cancellationToken);
        return new BackupRepository(store, config, dataKey, slot.Id, envelope);
    }

    /// <summary>Creates the store's container if needed and fails when a repository is already there.</summary>
    public static async Task ThrowIfExistsAsync(IObjectStore store, CancellationToken cancellationToken)
    {
        await store.EnsureCreatedAsync(cancellationToken);
        if (await store.StatAsync(RepositoryLayout.ConfigKey, cancellationToken) is not null)
        {
            throw new LifeboatException(
                $"a repository already exists at {store.Location}; it was left untouched",
                "use another repository URL, or use the existing one as it is");
        }
    }

    /// <summary>Opens an existing repository with a key file or passphrase.</summary>
    /// <remarks>The secret is asked for only once the repository is known to exist, so "no repository here" is said first.</remarks>
    public static async Task<BackupRepository> OpenAsync(IObjectStore store, Func<KeySecret> secretSource, EnvelopeOptions envelope, CancellationToken cancellationToken)
    {
        var config = await ReadOpenableConfigAsync(store, cancellationToken);
        return await UnlockAsync(store, config, secretSource, envelope, cancellationToken);
    }

    /// <summary>
    /// Reads the description of the repository at <paramref name="store"/> without a key, failing as opening would
    /// when there is none or its layout is not the one this build reads.
    /// </summary>
    public static async Task<RepositoryConfig> ReadOpenableConfigAsync(IObjectStore store, CancellationToken cancellationToken)
    {
        var config = await ReadConfigAsync(store, cancellationToken);
        if (config.Version < RepositoryConfig.OldestReadableVersion)
        {
            throw new LifeboatException(
                $"the repository at {store.Location} has layout version {config.Version}; this Lifeboat reads layouts {RepositoryConfig.OldestReadableVersion} and {RepositoryConfig.CurrentVersion}",
                kind: FailureKind.Usage)
            {
                Remedy = new(RemedyAction.MigrateLayout),
            };
        }

        return config;
    }

    private static async Task<BackupRepository> UnlockAsync(IObjectStore store, RepositoryConfig config, Func<KeySecret> secretSource, EnvelopeOptions envelope, CancellationToken cancellationToken)
    {
        var secret = secretSource();
        var damaged = new List<string>();
        foreach (var slot in await ReadKeySlotsAsync(store, (key, _) => damaged.Add(key), cancellationToken))
        {
            var dataKey = slot.TryOpen(secret);
            if (dataKey is not null)
                return new BackupRepository(store, config, dataKey, slot.Id, envelope);
        }

        // A damaged slot must not lock out the secrets of the others; it is named when nothing opened.
        throw new LifeboatException(
            $"the key does not open the repository at {store.Location}" + (damaged.Count == 0 ? "" : $" (key slots {string.Join(", ", damaged)} are damaged and were skipped)"))
        {
            Remedy = new(RemedyAction.CheckRepositoryKey),
        };
    }

    /// <summary>Every readable key slot of the repository at <paramref name="store"/>; damaged ones go to <paramref name="onDamaged"/>.</summary>
    private static async Task<List<KeySlot>> ReadKeySlotsAsync(IObjectStore store, Action<string, LifeboatException> onDamaged, CancellationToken cancellationToken)
    {
        var slots = new List<KeySlot>();
        await foreach (var info in store.ListAsync(RepositoryLayout.KeysPrefix, cancellationToken))
        {
            byte[] json;
            try
            {
                json = await ReadPlainAsync(store, info.Key, cancellationToken);
            }
            catch (ObjectNotFoundException)
            {
                continue; // removed by 'key remove' between listing and reading
            }

            try
            {
                slots.Add(KeySlot.FromJson(json, info.Key));
            }
            catch (LifeboatException e)
            {
                onDamaged(info.Key, e);
            }
        }

        return slots;
    }

    private static async Task<RepositoryConfig> ReadConfigAsync(IObjectStore store, CancellationToken cancellationToken)
    {
        if (await store.StatAsync(RepositoryLayout.ConfigKey, cancellationToken) is null)
        {
            throw new LifeboatException($"there is no Lifeboat repository at {store.Location}", kind: FailureKind.Usage)
            {
                Remedy = new(RemedyAction.CreateRepository),
            };
        }

        var bytes = await ReadPlainAsync(store, RepositoryLayout.ConfigKey, cancellationToken);
        var config = RepositoryJson.Parse(bytes, RepositoryJson.Default.RepositoryConfig, RepositoryLayout.ConfigKey);
        if (config.Version > RepositoryConfig.CurrentVersion)
        {
            throw new LifeboatException(
                $"the repository at {store.Location} has layout version {config.Version}, newer than this Lifeboat understands ({RepositoryConfig.CurrentVersion})",
                "upgrade lifeboat");
        }

        return config;
    }

    /// <summary>Writes an unencrypted object whole (config, key slots, locks).</summary>
    internal static async Task PutPlainAsync(IObjectStore store, string key, byte[] content, CancellationToken cancellationToken)
    {
        await using var upload = await store.CreateAsync(key, cancellationToken);
        await upload.WriteAsync(content, cancellationToken);
        await upload.CompleteAsync(cancellationToken);
    }

    /// <summary>Reads a small unencrypted object whole.</summary>
    internal static async Task<byte[]> ReadPlainAsync(IObjectStore store, string key, CancellationToken cancellationToken)
    {
        await using var stream = await store.OpenReadAsync(key, null, cancellationToken);
        using var buffer = new MemoryStream();
        await stream.CopyToAsync(buffer, cancellationToken);
        return buffer.ToArray();
    }

    /// <summary>Looks up the data key by id, for readers of enveloped objects.</summary>
    private DataKey? KeyById(string id) => id == _dataKey.Id ? _dataKey : null;

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        _dataKey.Dispose();
        await Store.DisposeAsync();
    }
}
