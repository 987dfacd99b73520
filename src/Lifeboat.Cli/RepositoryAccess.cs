using Lifeboat.Cli.Configuration;
using Lifeboat.Format;
using Lifeboat.Repository;
using Lifeboat.Storage;

namespace Lifeboat.Cli;

/// <summary>Turns settings into the things commands work with: a store, a key, an opened repository, a source.</summary>
internal static class RepositoryAccess
{
    /// <summary>Opens the store the repository URL points at.</summary>
    public static IObjectStore OpenStore(RepositorySettings repository)
    {
        var s3 = repository.S3;
        return ObjectStoreFactory.Open(repository.Url, (bucket, prefix) =>
            new S3Location(bucket, prefix, s3.Endpoint, s3.Region, s3.AccessKey.Resolve(), s3.SecretKey.Resolve()) { PartSize = s3.PartSizeMiB * 1024 * 1024 });
    }

    /// <summary>The key-encryption secret the settings name.</summary>
    public static KeySecret Secret(EncryptionSettings encryption)
    {
        if (encryption.Passphrase is { } passphrase)
            return KeySecret.FromPassphrase(passphrase.Resolve());
        var keyFile = encryption.KeyFile!;
        if (!File.Exists(keyFile))
        {
            throw new LifeboatException(
                $"key file {keyFile} does not exist",
                "point repository.encryption.keyFile at the repository's key file (run 'lifeboat init' once to create both)");
        }

        return KeySecret.FromKeyFile(keyFile);
    }

    /// <summary>Opens the configured repository.</summary>
    public static Task<BackupRepository> OpenAsync(LifeboatSettings settings, CancellationToken cancellationToken) =>
        OpenWithAsync(settings, BackupRepository.OpenAsync, cancellationToken);

    /// <summary>Opens the configured repository whatever its layout, for 'migrate'.</summary>
    public static Task<BackupRepository> OpenForMigrationAsync(LifeboatSettings settings, CancellationToken cancellationToken) =>
        OpenWithAsync(settings, BackupRepository.OpenForMigrationAsync, cancellationToken);

    private static async Task<BackupRepository> OpenWithAsync(
        LifeboatSettings settings, Func<IObjectStore, Func<KeySecret>, EnvelopeOptions, CancellationToken, Task<BackupRepository>> open, CancellationToken cancellationToken)
    {
        var store = OpenStore(settings.Repository);
        try
        {
            return await open(store, () => Secret(settings.Repository.Encryption), Envelope(settings), cancellationToken);
        }
        catch
        {
            await store.DisposeAsync();
            throw;
        }
    }

    /// <summary>How new objects are written.</summary>
    public static EnvelopeOptions Envelope(LifeboatSettings settings) => new(CompressionLevel: settings.Repository.CompressionLevel);
}
