namespace Lifeboat.Cli.Configuration;

/// <summary>repository: where backups go and how they are encrypted.</summary>
public sealed record RepositorySettings(string Url, S3Settings S3, EncryptionSettings Encryption, int CompressionLevel);

/// <summary>repository.s3: how to reach an S3 repository.</summary>
public sealed record S3Settings(string? Endpoint, string Region, SecretReference AccessKey, SecretReference SecretKey, int PartSizeMiB);

/// <summary>repository.encryption: a key file or a passphrase from the environment.</summary>
public sealed record EncryptionSettings(string? KeyFile, SecretReference? Passphrase);
