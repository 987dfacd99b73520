using Lifeboat.Cli.Sources.Postgres;
using Lifeboat.Cli.Configuration;

namespace Lifeboat.Tests.Configuration;

// Environment variables are process-wide, so these tests must not run in parallel with each other.
[Collection(nameof(EnvironmentCollection))]
public sealed class SettingsLoaderTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("lifeboat-config-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private string Write(string yaml)
    {
        var path = Path.Combine(_dir, "lifeboat.yaml");
        File.WriteAllText(path, yaml);
        return path;
    }

    private const string Valid = """
        repository:
          url: ./repo
          encryption:
            keyFile: ./repo.key
        postgres:
          - name: dev_platform
            host: 127.0.0.1
            port: 55432
            database: dev_platform
            user: devuser
            passwordEnv: LIFEBOAT_TEST_CONFIG_PASSWORD
        """;

    // Overrides are process-wide: the variable is removed again whatever the load does.
    private LifeboatException LoadFailsWith(string variable, string value)
    {
        Environment.SetEnvironmentVariable(variable, value);
        try
        {
            return Assert.Throws<LifeboatException>(() => SettingsLoader.Load(Write(Valid)));
        }
        finally
        {
            Environment.SetEnvironmentVariable(variable, null);
        }
    }

    [Fact]
    public void A_valid_file_binds_every_key_with_relative_paths_resolved_against_the_file()
    {
        var settings = SettingsLoader.Load(Write(Valid));

        Assert.Equal(Path.Combine(_dir, "repo"), settings.Repository.Url);
        Assert.Equal(Path.Combine(_dir, "repo.key"), settings.Repository.Encryption.KeyFile);
        var pg = Assert.Single(settings.SourcesOf<PostgresSettings>());
        Assert.Equal(("dev_platform", "127.0.0.1", 55432, "devuser"), (pg.Name, pg.Host, pg.Port, pg.User));
        Assert.Equal("LIFEBOAT_TEST_CONFIG_PASSWORD", pg.Password!.Variable);
    }

    [Fact]
    public void A_misspelled_key_is_an_error_naming_the_key_the_file_and_the_likely_intended_key()
    {
        var path = Write(Valid.Replace("encryption:", "encrytion:", StringComparison.Ordinal));

        var error = Assert.Throws<LifeboatException>(() => SettingsLoader.Load(path));

        Assert.Equal(FailureKind.Usage, error.Kind);
        Assert.Contains("repository.encrytion.keyFile", error.Message, StringComparison.Ordinal);
        Assert.Contains(path, error.Message, StringComparison.Ordinal);
        Assert.Contains("repository.encryption.keyFile", error.Hint, StringComparison.Ordinal);
    }

    [Fact]
    public void A_port_that_is_not_a_number_is_an_error_naming_the_key_and_the_value()
    {
        var path = Write(Valid.Replace("port: 55432", "port: fivefour", StringComparison.Ordinal));

        var error = Assert.Throws<LifeboatException>(() => SettingsLoader.Load(path));

        Assert.Equal(FailureKind.Usage, error.Kind);
        Assert.Contains("postgres[0].port", error.Message, StringComparison.Ordinal);
        Assert.Contains("'fivefour'", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Two_sources_with_one_name_are_an_error()
    {
        var path = Write(Valid + """

              - name: dev_platform
                database: other
                user: devuser
            """);

        var error = Assert.Throws<LifeboatException>(() => SettingsLoader.Load(path));

        Assert.Contains("two postgres sources are named 'dev_platform'", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_referenced_environment_variable_that_is_unset_is_an_error_naming_key_and_file()
    {
        Environment.SetEnvironmentVariable("LIFEBOAT_TEST_CONFIG_PASSWORD", null);
        var path = Write(Valid);
        var settings = SettingsLoader.Load(path);

        var error = Assert.Throws<LifeboatException>(() => settings.SourcesOf<PostgresSettings>()[0].Password!.Resolve());

        Assert.Equal(FailureKind.Usage, error.Kind);
        Assert.Contains("postgres[0].passwordEnv", error.Message, StringComparison.Ordinal);
        Assert.Contains(path, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Defect_2_an_unset_variable_named_by_an_env_key_is_reported_without_repeating_the_value_of_the_key()
    {
        Environment.SetEnvironmentVariable("devpass", null);
        var settings = SettingsLoader.Load(Write(Valid.Replace("LIFEBOAT_TEST_CONFIG_PASSWORD", "devpass", StringComparison.Ordinal)));

        var error = Assert.Throws<LifeboatException>(() => settings.SourcesOf<PostgresSettings>()[0].Password!.Resolve());

        Assert.Contains("the environment variable named by postgres[0].passwordEnv", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("devpass", error.Message + error.Hint, StringComparison.Ordinal);
    }

    [Fact]
    public void An_unset_variable_that_is_the_declared_default_is_named_with_the_key_it_is_the_default_of()
    {
        var saved = Environment.GetEnvironmentVariable("AWS_ACCESS_KEY_ID");
        Environment.SetEnvironmentVariable("AWS_ACCESS_KEY_ID", null);
        try
        {
            var settings = SettingsLoader.Load(null);

            var error = Assert.Throws<LifeboatException>(() => settings.Repository.S3.AccessKey.Resolve());

            Assert.Equal(FailureKind.Usage, error.Kind);
            Assert.Equal("environment variable AWS_ACCESS_KEY_ID (the default of repository.s3.accessKeyEnv) is not set", error.Message);
            Assert.Equal("export AWS_ACCESS_KEY_ID, or set repository.s3.accessKeyEnv", error.Hint);
        }
        finally
        {
            Environment.SetEnvironmentVariable("AWS_ACCESS_KEY_ID", saved);
        }
    }

    [Fact]
    public void An_entry_without_host_port_or_database_takes_the_declared_defaults()
    {
        var settings = SettingsLoader.Load(Write("""
            postgres:
              - name: app
                user: devuser
            """));

        var pg = Assert.Single(settings.SourcesOf<PostgresSettings>());
        Assert.Equal(("localhost", 5432, "app"), (pg.Host, pg.Port, pg.Database));
        Assert.Null(pg.Password);
    }

    [Fact]
    public void Without_any_file_the_s3_and_compression_keys_take_their_declared_defaults()
    {
        var settings = SettingsLoader.Load(null);

        var s3 = settings.Repository.S3;
        Assert.Equal((null, "us-east-1", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", 8), (s3.Endpoint, s3.Region, s3.AccessKey.Variable, s3.SecretKey.Variable, s3.PartSizeMiB));
        Assert.Equal(3, settings.Repository.CompressionLevel);
    }

    [Fact]
    public void A_port_out_of_its_declared_range_is_an_error_naming_the_range()
    {
        var path = Write(Valid.Replace("port: 55432", "port: 70000", StringComparison.Ordinal));

        var error = Assert.Throws<LifeboatException>(() => SettingsLoader.Load(path));

        Assert.Contains("postgres[0].port in " + path + " must be a whole number from 1 to 65535, not '70000'", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Of_two_wrong_repository_keys_the_one_declared_first_is_reported()
    {
        var path = Write("""
            repository:
              compression:
                level: 99
              s3:
                partSizeMiB: 1
            """);

        var error = Assert.Throws<LifeboatException>(() => SettingsLoader.Load(path));

        Assert.StartsWith("repository.compression.level in ", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void An_entry_without_a_name_is_an_error_naming_the_key_at_its_position()
    {
        var path = Write("""
            postgres:
              - host: h
                user: devuser
            """);

        var error = Assert.Throws<LifeboatException>(() => SettingsLoader.Load(path));

        Assert.Contains("postgres[0].name is required in " + path, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_misspelt_key_in_a_list_entry_suggests_the_key_at_the_same_position()
    {
        var path = Write(Valid.Replace("host: 127.0.0.1", "hots: 127.0.0.1", StringComparison.Ordinal));

        var error = Assert.Throws<LifeboatException>(() => SettingsLoader.Load(path));

        Assert.Contains("'postgres[0].hots'", error.Message, StringComparison.Ordinal);
        Assert.Equal("did you mean 'postgres[0].host'?", error.Hint);
    }

    [Fact]
    public void An_environment_variable_overrides_a_key_of_the_file()
    {
        Environment.SetEnvironmentVariable("LIFEBOAT_repository__url", "s3://bucket/prefix");
        try
        {
            var settings = SettingsLoader.Load(Write(Valid));

            Assert.Equal("s3://bucket/prefix", settings.Repository.Url);
        }
        finally
        {
            Environment.SetEnvironmentVariable("LIFEBOAT_repository__url", null);
        }
    }

    [Fact]
    public void An_unknown_key_in_an_environment_override_is_an_error_naming_the_variable()
    {
        Environment.SetEnvironmentVariable("LIFEBOAT_repository__ulr", "x");
        try
        {
            var error = Assert.Throws<LifeboatException>(() => SettingsLoader.Load(Write(Valid)));

            Assert.Contains("environment variable LIFEBOAT_repository__ulr", error.Message, StringComparison.Ordinal);
        }
        finally
        {
            Environment.SetEnvironmentVariable("LIFEBOAT_repository__ulr", null);
        }
    }

    [Fact]
    public void An_empty_repository_url_is_an_error_not_a_silent_local_default()
    {
        var path = Write(Valid.Replace("url: ./repo", "url: \"\"", StringComparison.Ordinal));

        var error = Assert.Throws<LifeboatException>(() => SettingsLoader.Load(path));

        Assert.Equal(FailureKind.Usage, error.Kind);
        Assert.Contains("repository.url in", error.Message, StringComparison.Ordinal);
        Assert.Contains("is empty", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_secret_pasted_where_a_variable_name_belongs_is_an_error_that_does_not_echo_it()
    {
        var path = Write(Valid.Replace("passwordEnv: LIFEBOAT_TEST_CONFIG_PASSWORD", "passwordEnv: hunter2-s3cret!", StringComparison.Ordinal));

        var error = Assert.Throws<LifeboatException>(() => SettingsLoader.Load(path));

        Assert.Equal(FailureKind.Usage, error.Kind);
        Assert.Contains("postgres[0].passwordEnv", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("hunter2", error.Message + error.Hint, StringComparison.Ordinal);
    }

    [Fact]
    public void A_list_override_with_a_position_that_is_not_a_number_is_a_usage_error()
    {
        Environment.SetEnvironmentVariable("LIFEBOAT_postgres__first__host", "x");
        try
        {
            var error = Assert.Throws<LifeboatException>(() => SettingsLoader.Load(Write(Valid)));

            Assert.Equal(FailureKind.Usage, error.Kind);
        }
        finally
        {
            Environment.SetEnvironmentVariable("LIFEBOAT_postgres__first__host", null);
        }
    }

    [Fact]
    public void A_list_override_with_a_position_that_is_not_a_number_names_the_variable_and_the_list()
    {
        Environment.SetEnvironmentVariable("LIFEBOAT_postgres__first__host", "x");
        try
        {
            var error = Assert.Throws<LifeboatException>(() => SettingsLoader.Load(Write(Valid)));

            Assert.Equal("'first' in environment variable LIFEBOAT_postgres__first__host is not a list position of postgres", error.Message);
            Assert.Contains("LIFEBOAT_postgres__0__host", error.Hint, StringComparison.Ordinal);
        }
        finally
        {
            Environment.SetEnvironmentVariable("LIFEBOAT_postgres__first__host", null);
        }
    }

    [Fact]
    public void A_list_override_whose_position_is_too_large_for_a_number_is_a_usage_error_naming_the_position()
    {
        var error = LoadFailsWith("LIFEBOAT_postgres__99999999999__name", "x");

        Assert.Equal(FailureKind.Usage, error.Kind);
        Assert.Equal("'99999999999' in environment variable LIFEBOAT_postgres__99999999999__name is not a list position of postgres", error.Message);
    }

    [Fact]
    public void A_list_override_whose_position_has_a_leading_zero_is_a_usage_error_not_another_spelling_of_a_position()
    {
        var error = LoadFailsWith("LIFEBOAT_postgres__00__host", "x");

        Assert.Equal(FailureKind.Usage, error.Kind);
        Assert.Equal("'00' in environment variable LIFEBOAT_postgres__00__host is not a list position of postgres", error.Message);
        Assert.Contains("LIFEBOAT_postgres__0__host", error.Hint, StringComparison.Ordinal);
    }

    [Fact]
    public void An_environment_override_at_position_0_changes_the_first_list_entry()
    {
        Environment.SetEnvironmentVariable("LIFEBOAT_postgres__0__host", "db.example");
        try
        {
            var settings = SettingsLoader.Load(Write(Valid));

            Assert.Equal("db.example", Assert.Single(settings.SourcesOf<PostgresSettings>()).Host);
        }
        finally
        {
            Environment.SetEnvironmentVariable("LIFEBOAT_postgres__0__host", null);
        }
    }

    [Fact]
    public void An_environment_override_adds_a_list_entry_at_its_position()
    {
        Environment.SetEnvironmentVariable("LIFEBOAT_postgres__1__name", "second");
        Environment.SetEnvironmentVariable("LIFEBOAT_postgres__1__user", "u");
        try
        {
            var settings = SettingsLoader.Load(Write(Valid));

            Assert.Equal(["dev_platform", "second"], settings.SourcesOf<PostgresSettings>().Select(p => p.Name));
        }
        finally
        {
            Environment.SetEnvironmentVariable("LIFEBOAT_postgres__1__name", null);
            Environment.SetEnvironmentVariable("LIFEBOAT_postgres__1__user", null);
        }
    }

    [Fact]
    public void Setting_both_a_key_file_and_a_passphrase_is_an_error()
    {
        var path = Write(Valid.Replace("keyFile: ./repo.key", "keyFile: ./repo.key\n    passphraseEnv: PASS", StringComparison.Ordinal));

        var error = Assert.Throws<LifeboatException>(() => SettingsLoader.Load(path));

        Assert.Contains("both keyFile and passphraseEnv", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Without_any_file_the_defaults_are_a_local_repository_and_key_file_in_the_current_directory()
    {
        var settings = SettingsLoader.Load(null);

        Assert.Equal(Path.GetFullPath("lifeboat-repo"), settings.Repository.Url);
        Assert.Equal(Path.GetFullPath("lifeboat-repo.key"), settings.Repository.Encryption.KeyFile);
        Assert.Empty(settings.SourcesOf<PostgresSettings>());
    }

    [Fact]
    public void A_missing_configuration_file_named_by_config_is_an_error()
    {
        var error = Assert.Throws<LifeboatException>(() => SettingsLoader.Load(Path.Combine(_dir, "nope.yaml")));

        Assert.Equal(FailureKind.Usage, error.Kind);
        Assert.Contains("nope.yaml does not exist", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_configuration_path_that_is_a_directory_is_an_error_saying_so()
    {
        var error = Assert.Throws<LifeboatException>(() => SettingsLoader.Load(_dir));

        Assert.Equal(FailureKind.Usage, error.Kind);
        Assert.Equal($"configuration file {_dir} is a directory", error.Message);
    }

    [Fact]
    public void A_file_that_is_not_yaml_is_an_error_naming_the_file()
    {
        var path = Write("repository: [unclosed");

        var error = Assert.Throws<LifeboatException>(() => SettingsLoader.Load(path));

        Assert.Equal(FailureKind.Usage, error.Kind);
        Assert.Contains(path, error.Message, StringComparison.Ordinal);
    }
}

[CollectionDefinition(nameof(EnvironmentCollection), DisableParallelization = true)]
public sealed class EnvironmentCollection;
