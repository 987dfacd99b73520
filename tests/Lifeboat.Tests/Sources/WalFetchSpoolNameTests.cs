using Lifeboat.Cli.Configuration;
using Lifeboat.Cli.Sources.Postgres;

namespace Lifeboat.Tests.Sources;

/// <summary>
/// wal-fetch names its prefetch spool by where the repository is, from the configuration alone: no read of the
/// repository per call (a round trip per segment on S3), and still one spool per repository.
/// </summary>
public sealed class WalFetchSpoolNameTests
{
    [Fact]
    public void One_local_repository_has_one_name_however_its_place_is_written()
    {
        var names = new[] { "/srv/backups/repo", "/srv/backups/repo/", "file:///srv/backups/repo", "/srv/backups/./repo" }
            .Select(url => WalFetchCommand.RepositoryName(Repository(url)))
            .Distinct()
            .ToList();

        Assert.Single(names);
        Assert.Matches("^[0-9a-f]{16}$", names[0]);
    }

    [Fact]
    public void Repositories_in_other_places_or_behind_other_endpoints_have_other_names()
    {
        var names = new[]
        {
            WalFetchCommand.RepositoryName(Repository("/srv/backups/repo")),
            WalFetchCommand.RepositoryName(Repository("/srv/backups/other")),
            WalFetchCommand.RepositoryName(Repository("s3://bucket/lifeboat")),
            WalFetchCommand.RepositoryName(Repository("s3://bucket/lifeboat", endpoint: "http://minio.local:9000")),
            WalFetchCommand.RepositoryName(Repository("s3://bucket/other")),
        };

        Assert.Equal(names.Length, names.Distinct().Count());
        Assert.Equal(names[2], WalFetchCommand.RepositoryName(Repository("s3://bucket/lifeboat/")));
    }

    private static RepositorySettings Repository(string url, string? endpoint = null) =>
        new(url, new S3Settings(endpoint, "eu-central-1", new SecretReference("A", "access", "test"), new SecretReference("S", "secret", "test"), 16), new EncryptionSettings(null, null), 3);
}
