using System.Globalization;
using Lifeboat.Storage;

namespace Lifeboat.Cli.Configuration;

/// <summary>The repository: section, declared once: its keys and how they bind to <see cref="RepositorySettings"/>.</summary>
internal static class RepositorySection
{
    private const int MiB = 1024 * 1024;

    private static readonly ConfigKey Url = new("url", ConfigValueType.UrlOrPath, "`s3://bucket/prefix`, `file:///abs/path`, or a plain path")
    {
        Default = "./lifeboat-repo",
    };

    private static readonly ConfigKey CompressionLevel = new("compression.level", ConfigValueType.Int, "zstd level; 0 stores uncompressed")
    {
        Default = "3",
        Min = 0,
        Max = 19,
    };

    private static readonly ConfigKey S3Endpoint = new("s3.endpoint", ConfigValueType.Url, "S3 endpoint, e.g. `http://minio:9000` (path-style addressing is used)")
    {
        DefaultNote = "AWS",
    };

    private static readonly ConfigKey S3Region = new("s3.region", ConfigValueType.Text, "signing region") { Default = "us-east-1" };

    private static readonly ConfigKey S3AccessKeyEnv = new("s3.accessKeyEnv", ConfigValueType.SecretReference, "variable holding the access key")
    {
        Default = "AWS_ACCESS_KEY_ID",
    };

    private static readonly ConfigKey S3SecretKeyEnv = new("s3.secretKeyEnv", ConfigValueType.SecretReference, "variable holding the secret key")
    {
        Default = "AWS_SECRET_ACCESS_KEY",
    };

    private static readonly ConfigKey S3PartSizeMiB = new(
        "s3.partSizeMiB", ConfigValueType.Int,
        "multipart part size in MiB; memory use is about 3 parts, and the largest object 62,000 parts (~480 GiB at 8)")
    {
        Default = (S3Location.DefaultPartSize / MiB).ToString(CultureInfo.InvariantCulture),
        Min = 5,
        Max = 512,
    };

    private static readonly ConfigKey KeyFile = new("encryption.keyFile", ConfigValueType.Path, "32-byte key file; `lifeboat init` creates it (mode 0600) when missing")
    {
        Default = "./lifeboat-repo.key",
    };

    private static readonly ConfigKey PassphraseEnv = new(
        "encryption.passphraseEnv", ConfigValueType.SecretReference, "instead of a key file: variable holding a passphrase (Argon2id; init needs one of 12 characters or more)");

    /// <summary>The section and its keys.</summary>
    public static readonly ConfigSection Section = new(
        "repository", IsList: false,
        [Url, CompressionLevel, S3Endpoint, S3Region, S3AccessKeyEnv, S3SecretKeyEnv, S3PartSizeMiB, KeyFile, PassphraseEnv]);

    /// <summary>Binds the section; absent keys take their declared defaults.</summary>
    public static RepositorySettings Bind(SectionValues repository)
    {
        // Read in declared order, so that of two mistakes the one the docs list first is reported, as it always was.
        var url = repository.UrlOrPath(Url);
        var compressionLevel = repository.Int(CompressionLevel);
        var s3 = S3(repository);
        return new RepositorySettings(url, s3, Encryption(repository), compressionLevel);
    }

    private static S3Settings S3(SectionValues repository) => new(
        repository.OptionalText(S3Endpoint),
        repository.Text(S3Region),
        repository.Secret(S3AccessKeyEnv),
        repository.Secret(S3SecretKeyEnv),
        repository.Int(S3PartSizeMiB));

    private static EncryptionSettings Encryption(SectionValues repository)
    {
        var hasKeyFile = repository.IsSet(KeyFile);
        var hasPassphrase = repository.IsSet(PassphraseEnv);
        if (hasKeyFile && hasPassphrase)
        {
            throw new LifeboatException(
                $"repository.encryption in {repository.Origin(PassphraseEnv)} sets both keyFile and passphraseEnv",
                "keep one of them", FailureKind.Usage);
        }

        if (hasPassphrase)
            return new EncryptionSettings(null, repository.OptionalSecret(PassphraseEnv));
        return new EncryptionSettings(repository.Path(KeyFile), null);
    }
}
