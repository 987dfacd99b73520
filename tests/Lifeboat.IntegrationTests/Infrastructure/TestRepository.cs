using Lifeboat.Format;
using Lifeboat.Repository;
using Lifeboat.Storage;
using Lifeboat.TestKit.Configuration;

namespace Lifeboat.IntegrationTests.Infrastructure;

/// <summary>A fresh repository for one test: a temp directory (or an S3 prefix) and its own key file.</summary>
public sealed class TestRepository : IAsyncDisposable
{
    // The bucket an S3 repository lives in, removed with it: each test makes its own.
    private readonly string? _bucket;

    private TestRepository(string directory, string url, BackupRepository repository, string? bucket = null)
    {
        Directory = directory;
        Url = url;
        Repository = repository;
        _bucket = bucket;
    }

    /// <summary>Temp directory holding the key file (and, for a local repository, the repository itself).</summary>
    public string Directory { get; }

    public string KeyFile => Path.Combine(Directory, "repo.key");

    /// <summary>The repository URL, as a config file would name it.</summary>
    public string Url { get; }

    public BackupRepository Repository { get; }

    public string RepositoryPath => Path.Combine(Directory, "repo");

    public static async Task<TestRepository> CreateLocalAsync()
    {
        var directory = System.IO.Directory.CreateTempSubdirectory("lifeboat-it-").FullName;
        var keyFile = Path.Combine(directory, "repo.key");
        Lifeboat.Format.KeyFile.Create(keyFile);
        var path = Path.Combine(directory, "repo");
        var repository = await BackupRepository.InitAsync(new FileObjectStore(path), KeySecret.FromKeyFile(keyFile), new EnvelopeOptions(), CancellationToken.None);
        return new TestRepository(directory, path, repository);
    }

    public static async Task<TestRepository> CreateS3Async()
    {
        var directory = System.IO.Directory.CreateTempSubdirectory("lifeboat-it-").FullName;
        var keyFile = Path.Combine(directory, "repo.key");
        Lifeboat.Format.KeyFile.Create(keyFile);
        var bucket = TestEnvironment.UniqueName("lifeboat-it").Replace('_', '-');
        var store = new S3ObjectStore(S3LocationFor(bucket, "backups"));
        await store.EnsureBucketAsync(CancellationToken.None);
        var repository = await BackupRepository.InitAsync(store, KeySecret.FromKeyFile(keyFile), new EnvelopeOptions(), CancellationToken.None);
        return new TestRepository(directory, $"s3://{bucket}/backups", repository, bucket);
    }

    public static S3Location S3LocationFor(string bucket, string prefix) =>
        new(bucket, prefix, TestEnvironment.S3Endpoint, TestEnvironment.S3Region, TestEnvironment.S3AccessKey, TestEnvironment.S3SecretKey);

    /// <summary>Opens the same repository again, as a new process would.</summary>
    public Task<BackupRepository> ReopenAsync() =>
        BackupRepository.OpenAsync(Repository.Store, () => KeySecret.FromKeyFile(KeyFile), new EnvelopeOptions(), CancellationToken.None);

    /// <summary>A config file for this repository: its URL, the S3 server's settings when it is on S3, and its key file.</summary>
    public LifeboatConfigBuilder Config()
    {
        var config = new LifeboatConfigBuilder().RepositoryUrl(Url);
        if (_bucket is not null)
            config.S3(TestEnvironment.S3Endpoint, TestEnvironment.S3Region, TestEnvironment.S3AccessKeyVariable, TestEnvironment.S3SecretKeyVariable);
        return config.KeyFile(KeyFile);
    }

    /// <summary>Writes lifeboat.yaml into <see cref="Directory"/> for this repository and <paramref name="sources"/>; returns its path.</summary>
    public string WriteConfig(params PostgresSourceConfig[] sources)
    {
        var config = Config();
        foreach (var source in sources)
            config.Postgres(source);
        return config.WriteTo(Path.Combine(Directory, "lifeboat.yaml"));
    }

    public async ValueTask DisposeAsync()
    {
        await Repository.DisposeAsync();
        if (_bucket is not null)
            await Storage.S3TestServer.EmptyAsync(_bucket, "", removeBucket: true);
        System.IO.Directory.Delete(Directory, recursive: true);
    }
}
