using Lifeboat.Cli.Configuration;
using Lifeboat.Cli.Sources.Postgres;
using Lifeboat.Postgres;
using Npgsql;

namespace Lifeboat.Tests.Configuration;

/// <summary>
/// postgres[].sslMode and sslRootCert: libpq's values, checked strictly, and carried to every client of the source:
/// Npgsql's connection string, and the libpq environment of pg_dump, pg_restore and the postRestore command.
/// </summary>
[Collection(nameof(EnvironmentCollection))]
public sealed class PostgresTlsSettingsTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("lifeboat-tls-config-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private const string Entry = """
        repository:
          url: ./repo
        postgres:
          - name: app
            host: db.internal
            user: backup
        """;

    [Fact]
    public void Without_the_keys_a_source_prefers_tls_as_libpq_does_and_tools_get_no_root_certificate_from_the_environment()
    {
        var source = SourceOf(Entry);

        var tools = source.ToolEnvironment("app");

        Assert.Equal(PostgresSslMode.Prefer, source.SslMode);
        Assert.Equal(SslMode.Prefer, new NpgsqlConnectionStringBuilder(source.ConnectionString("app")).SslMode);
        Assert.Equal("prefer", tools["PGSSLMODE"]);
        // Null removes an inherited PGSSLROOTCERT, which would make require check a certificate Npgsql does not.
        Assert.True(tools.ContainsKey("PGSSLROOTCERT"));
        Assert.Null(tools["PGSSLROOTCERT"]);
    }

    [Fact]
    public void Verify_full_with_a_root_certificate_relative_to_the_file_reaches_the_source_and_the_tools_environment_and_npgsql_must_use_tls()
    {
        var source = SourceOf(Entry + "\n    sslMode: verify-full\n    sslRootCert: certs/ca.pem");

        var npgsql = new NpgsqlConnectionStringBuilder(source.ConnectionString("app"));
        var tools = source.ToolEnvironment("app");

        var ca = Path.Combine(_dir, "certs", "ca.pem");
        Assert.Equal((PostgresSslMode.VerifyFull, ca), (source.SslMode, source.SslRootCertificate));
        // Lifeboat's own certificate check verifies (PostgresTlsTests): Npgsql is asked only for TLS.
        Assert.Equal((SslMode.Require, null), (npgsql.SslMode, npgsql.RootCertificate));
        Assert.Equal(("verify-full", ca), (tools["PGSSLMODE"], tools["PGSSLROOTCERT"]));
    }

    [Theory]
    [InlineData("disable", PostgresSslMode.Disable, SslMode.Disable)]
    [InlineData("require", PostgresSslMode.Require, SslMode.Require)]
    public void Each_mode_is_passed_on_as_libpq_and_npgsql_spell_it(string written, PostgresSslMode mode, SslMode npgsql)
    {
        var source = SourceOf(Entry + $"\n    sslMode: {written}");

        Assert.Equal(mode, source.SslMode);
        Assert.Equal(npgsql, new NpgsqlConnectionStringBuilder(source.ConnectionString("app")).SslMode);
        Assert.Equal(written, source.ToolEnvironment("app")["PGSSLMODE"]);
    }

    [Fact]
    public void On_a_unix_socket_npgsql_is_not_asked_for_tls_which_libpq_ignores_there_too()
    {
        var source = SourceOf(Entry.Replace("host: db.internal", "host: /var/run/postgresql", StringComparison.Ordinal) + "\n    sslMode: require");

        Assert.Equal(SslMode.Disable, new NpgsqlConnectionStringBuilder(source.ConnectionString("app")).SslMode);
        Assert.Equal("require", source.ToolEnvironment("app")["PGSSLMODE"]);
    }

    [Fact]
    public void A_mode_libpq_does_not_know_is_an_error_listing_the_modes()
    {
        var path = Write(Entry + "\n    sslMode: requre");

        var error = Assert.Throws<LifeboatException>(() => SettingsLoader.Load(path));

        Assert.Equal(FailureKind.Usage, error.Kind);
        Assert.Equal($"postgres[0].sslMode in {path} must be one of disable, prefer, require, verify-ca, verify-full, not 'requre'", error.Message);
    }

    [Fact]
    public void Verifying_without_a_root_certificate_is_an_error()
    {
        var path = Write(Entry + "\n    sslMode: verify-ca");

        var error = Assert.Throws<LifeboatException>(() => SettingsLoader.Load(path));

        Assert.Equal(FailureKind.Usage, error.Kind);
        Assert.Equal($"postgres[0] in {path} sets sslMode verify-ca without sslRootCert", error.Message);
    }

    [Fact]
    public void A_root_certificate_with_a_mode_that_does_not_verify_is_an_error_not_a_false_sense_of_safety()
    {
        var path = Write(Entry + "\n    sslMode: require\n    sslRootCert: ca.pem");

        var error = Assert.Throws<LifeboatException>(() => SettingsLoader.Load(path));

        Assert.Equal(FailureKind.Usage, error.Kind);
        Assert.Equal($"postgres[0] in {path} sets sslRootCert, which only verify-ca and verify-full use, with sslMode require", error.Message);
    }

    private PostgresSource SourceOf(string yaml) =>
        PostgresSourceKind.ToSource(Assert.Single(SettingsLoader.Load(Write(yaml)).SourcesOf<PostgresSettings>()));

    private string Write(string yaml)
    {
        var path = Path.Combine(_dir, "lifeboat.yaml");
        File.WriteAllText(path, yaml);
        return path;
    }
}
