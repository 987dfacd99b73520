using Lifeboat.Cli.Configuration;
using Lifeboat.Cli.Sources.Postgres;
using Lifeboat.TestKit.Configuration;
using Lifeboat.Tests.Configuration;

namespace Lifeboat.Tests.TestKit;

/// <summary>The builder's files, read back by Lifeboat's own strict loader: a misspelled key would fail here.</summary>
// The loader reads LIFEBOAT_* overrides, which SettingsLoaderTests set: never at the same time as those.
[Collection(nameof(EnvironmentCollection))]
public sealed class LifeboatConfigBuilderTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("lifeboat-builder-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private string ConfigPath => Path.Combine(_dir, "lifeboat.yaml");

    private static PostgresSourceConfig FullSource => new()
    {
        Name = "app",
        Host = "db.internal",
        Port = 6543,
        Database = "platform",
        User = "backup",
        PasswordEnv = "APP_DB_PASSWORD",
        BinDir = "/usr/lib/postgresql/15/bin",
        PostRestore = "alembic upgrade head",
    };

    [Fact]
    public void Every_repository_key_it_writes_loads_with_the_value_given()
    {
        var settings = SettingsLoader.Load(new LifeboatConfigBuilder()
            .RepositoryUrl("s3://backups/lifeboat")
            .S3("http://127.0.0.1:9000", "eu-west-1", "S3_ACCESS", "S3_SECRET")
            .CompressionLevel(7)
            .KeyFile("/etc/lifeboat/repo.key")
            .WriteTo(ConfigPath));

        var repository = settings.Repository;
        Assert.Equal("s3://backups/lifeboat", repository.Url);
        Assert.Equal(("http://127.0.0.1:9000", "eu-west-1"), (repository.S3.Endpoint, repository.S3.Region));
        Assert.Equal(("S3_ACCESS", "S3_SECRET"), (repository.S3.AccessKey.Variable, repository.S3.SecretKey.Variable));
        Assert.Equal(7, repository.CompressionLevel);
        Assert.Equal("/etc/lifeboat/repo.key", repository.Encryption.KeyFile);
    }

    [Fact]
    public void Every_postgres_key_it_writes_loads_with_the_value_given()
    {
        var settings = SettingsLoader.Load(new LifeboatConfigBuilder().RepositoryUrl("/srv/repo").Postgres(FullSource).WriteTo(ConfigPath));

        var source = Assert.Single(settings.SourcesOf<PostgresSettings>());
        Assert.Equal(("app", "db.internal", 6543, "platform", "backup"), (source.Name, source.Host, source.Port, source.Database, source.User));
        Assert.Equal("APP_DB_PASSWORD", source.Password?.Variable);
        Assert.Equal(("/usr/lib/postgresql/15/bin", "alembic upgrade head"), (source.BinDir, source.PostRestore));
    }

    [Fact]
    public void Sources_are_written_in_the_order_they_were_added()
    {
        var settings = SettingsLoader.Load(new LifeboatConfigBuilder()
            .Postgres(new PostgresSourceConfig { Name = "first", User = "u" })
            .Postgres(new PostgresSourceConfig { Name = "second", User = "u" })
            .WriteTo(ConfigPath));

        Assert.Equal(["first", "second"], settings.SourcesOf<PostgresSettings>().Select(p => p.Name));
    }

    [Theory]
    [InlineData("psql -tAc 'SELECT count(*) FROM items' > /tmp/m; echo \"$PGDATABASE\" >> /tmp/m")]
    [InlineData("echo 'alembic: no such revision' >&2; exit 3")]
    [InlineData("yes")]
    [InlineData("null")]
    [InlineData("# not a comment")]
    [InlineData(" leading and trailing spaces ")]
    [InlineData("back\\slash and\ttab")]
    [InlineData("- looks like a list: [1, 2] {a: b} & * ! | > % @ `")]
    public void A_value_yaml_could_misread_loads_as_the_same_text(string command)
    {
        var settings = SettingsLoader.Load(new LifeboatConfigBuilder()
            .Postgres(new PostgresSourceConfig { Name = "app", User = "u", PostRestore = command })
            .WriteTo(ConfigPath));

        Assert.Equal(command, Assert.Single(settings.SourcesOf<PostgresSettings>()).PostRestore);
    }

    [Fact]
    public void A_passphrase_replaces_a_key_file_set_before()
    {
        var settings = SettingsLoader.Load(new LifeboatConfigBuilder().KeyFile("/k").PassphraseEnv("REPO_PASSPHRASE").WriteTo(ConfigPath));

        Assert.Null(settings.Repository.Encryption.KeyFile);
        Assert.Equal("REPO_PASSPHRASE", settings.Repository.Encryption.Passphrase?.Variable);
    }

    [Fact]
    public void An_extra_raw_key_is_written_as_given_so_a_misspelling_reaches_the_loader()
    {
        var path = new LifeboatConfigBuilder().RepositoryUrl("/srv/repo").Set("repository.encrytion.keyFile", "/k").WriteTo(ConfigPath);

        var error = Assert.Throws<LifeboatException>(() => SettingsLoader.Load(path));

        Assert.Contains("unknown configuration key 'repository.encrytion.keyFile'", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_raw_value_replaces_a_typed_one_in_place()
    {
        var path = new LifeboatConfigBuilder().Postgres(FullSource).Set("postgres[0].port", "fivefour").WriteTo(ConfigPath);

        var error = Assert.Throws<LifeboatException>(() => SettingsLoader.Load(path));

        Assert.Contains("postgres[0].port", error.Message, StringComparison.Ordinal);
        Assert.Contains("'fivefour'", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_key_set_to_null_is_written_with_no_value()
    {
        var path = new LifeboatConfigBuilder().Set("repository.url", null).WriteTo(ConfigPath);

        var error = Assert.Throws<LifeboatException>(() => SettingsLoader.Load(path));

        Assert.Equal("repository:\n  url:\n", File.ReadAllText(path));
        Assert.Contains("repository.url", error.Message, StringComparison.Ordinal);
        Assert.Contains("is empty", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_removed_key_is_left_out_of_the_file()
    {
        var yaml = new LifeboatConfigBuilder().RepositoryUrl("/srv/repo").Postgres(FullSource).Remove("postgres[0].binDir").ToYaml();

        Assert.DoesNotContain("binDir", yaml, StringComparison.Ordinal);
        Assert.Contains("postRestore", yaml, StringComparison.Ordinal);
    }

    [Fact]
    public void A_key_path_that_skips_a_list_position_is_refused()
    {
        var builder = new LifeboatConfigBuilder();

        Assert.Throws<ArgumentOutOfRangeException>(() => builder.Set("postgres[1].name", "gap"));
    }
}
