namespace Lifeboat.Cli.Configuration;

/// <summary>The validated configuration of one lifeboat run.</summary>
/// <param name="Origin">Where it came from, for messages: a file path or "defaults".</param>
/// <param name="Repository">Where backups go.</param>
/// <param name="Postgres">The PostgreSQL sources.</param>
public sealed record LifeboatSettings(string Origin, RepositorySettings Repository, IReadOnlyList<PostgresSettings> Postgres);

/// <summary>repository: where backups go and how they are encrypted.</summary>
public sealed record RepositorySettings(string Url, S3Settings S3, EncryptionSettings Encryption, int CompressionLevel);

/// <summary>repository.s3: how to reach an S3 repository.</summary>
public sealed record S3Settings(string? Endpoint, string Region, SecretReference AccessKey, SecretReference SecretKey, int PartSizeMiB);

/// <summary>repository.encryption: a key file or a passphrase from the environment.</summary>
public sealed record EncryptionSettings(string? KeyFile, SecretReference? Passphrase);

/// <summary>One entry of postgres:.</summary>
public sealed record PostgresSettings(string Name, string Host, int Port, string Database, string User, SecretReference? Password, string? BinDir, string? PostRestore);

/// <summary>A secret named by an environment variable, with the configuration key that named it.</summary>
/// <param name="Variable">The environment variable.</param>
/// <param name="Key">The configuration key, e.g. postgres[0].passwordEnv.</param>
/// <param name="Origin">The file the key is in.</param>
public sealed record SecretReference(string Variable, string Key, string Origin)
{
    /// <summary>Reads the secret; an unset variable is a configuration error naming the key and the file.</summary>
    public string Resolve()
    {
        var value = Environment.GetEnvironmentVariable(Variable) ?? throw new LifeboatException(
            $"{Key} in {Origin} names environment variable {Variable}, which is not set",
            $"export {Variable}, or change {Key}",
            FailureKind.Usage);
        Processes.ChildEnvironment.HideSecret(Variable);
        return value;
    }
}
