using System.Formats.Tar;
using System.Text.Json;
using Lifeboat.Postgres;
using Lifeboat.Postgres.Replication;
using Lifeboat.TestKit.Servers;

namespace Lifeboat.IntegrationTests.Postgres;

/// <summary>BASE_BACKUP read straight off a replication connection to a real server with a second tablespace.</summary>
public sealed class BaseBackupStreamTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Every_tablespace_and_the_manifest_stream_in_one_copy_as_tar_archives_between_a_start_and_a_stop_position()
    {
        await using var cluster = await PrivatePostgres.StartNewAsync(Ct);
        var location = await cluster.CreateServerDirectoryAsync("ts1", Ct);
        await cluster.ExecuteAsync($"CREATE TABLESPACE ts1 LOCATION '{location}'", Ct);
        await cluster.ExecuteAsync("CREATE TABLE elsewhere (x int) TABLESPACE ts1; INSERT INTO elsewhere SELECT generate_series(1, 50000)", Ct);
        var oid = await cluster.QueryValueAsync("SELECT oid FROM pg_tablespace WHERE spcname = 'ts1'", Ct);

        await using var connection = await ReplicationConnection.OpenAsync(Source(cluster, PrivatePostgres.Password), Ct);
        var backup = await BaseBackupStream.StartAsync(connection, "lifeboat test", Ct);
        var archives = new Dictionary<string, (string? Location, List<string> Entries, byte[]? Bytes)>();
        while (await backup.NextArchiveAsync(Ct) is { } archive)
        {
            using var copy = new MemoryStream();
            await archive.Content.CopyToAsync(copy, Ct);
            archives[archive.Name] = (archive.TablespaceLocation, archive.Name.EndsWith(".tar", StringComparison.Ordinal) ? await EntriesAsync(copy) : [], copy.ToArray());
        }

        Assert.Equal([$"{oid}.tar", "backup_manifest", "base.tar"], archives.Keys.Order(StringComparer.Ordinal));
        Assert.Contains("global/pg_control", archives["base.tar"].Entries);
        Assert.Contains("backup_label", archives["base.tar"].Entries);
        Assert.Contains("PG_VERSION", archives["base.tar"].Entries);
        Assert.Equal(location, archives[$"{oid}.tar"].Location);
        Assert.NotEmpty(archives[$"{oid}.tar"].Entries);
        using var manifest = JsonDocument.Parse(archives["backup_manifest"].Bytes);
        Assert.Equal(1, manifest.RootElement.GetProperty("PostgreSQL-Backup-Manifest-Version").GetInt32());
        Assert.Equal(1u, backup.Timeline);
        Assert.True(backup.Stop > backup.Start, $"{backup.Start} .. {backup.Stop}");
        Assert.Equal(2, backup.Tablespaces.Count);
    }

    [Fact]
    public async Task A_wrong_password_is_refused_by_the_server_in_one_line_naming_it()
    {
        await using var cluster = await PrivatePostgres.StartNewAsync(Ct);

        var error = await Assert.ThrowsAnyAsync<LifeboatException>(() => ReplicationConnection.OpenAsync(Source(cluster, "wrong-password"), Ct));

        Assert.StartsWith($"127.0.0.1:{cluster.Port}/postgres refused the replication connection: password authentication failed for user \"postgres\"", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_server_that_takes_replication_only_over_tls_gets_an_encrypted_connection()
    {
        await using var cluster = await PrivatePostgres.CreateAsync(Ct);
        var certificates = await cluster.CreateServerDirectoryAsync("tls", Ct);
        await RunAsync("openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", "/CN=127.0.0.1",
            "-keyout", Path.Combine(certificates, "server.key"), "-out", Path.Combine(certificates, "server.crt"));
        File.SetUnixFileMode(Path.Combine(certificates, "server.key"), UnixFileMode.UserRead | UnixFileMode.UserWrite);
        if (Environment.IsPrivilegedProcess)
            await RunAsync("chown", "-R", PrivatePostgres.Superuser, certificates);
        var hba = Path.Combine(cluster.DataDirectory, "pg_hba.conf");
        await File.WriteAllTextAsync(hba, "hostnossl replication all all reject\n" + await File.ReadAllTextAsync(hba, Ct), Ct);
        await cluster.Set("ssl", "on").Set("ssl_cert_file", Path.Combine(certificates, "server.crt")).Set("ssl_key_file", Path.Combine(certificates, "server.key")).StartAsync(Ct);

        await using var connection = await ReplicationConnection.OpenAsync(Source(cluster, PrivatePostgres.Password), Ct);
        var system = await BaseBackupStream.IdentifySystemAsync(connection, Ct);

        Assert.Equal(await cluster.QueryValueAsync("SELECT system_identifier::text FROM pg_control_system()", Ct), system.SystemId.ToString(System.Globalization.CultureInfo.InvariantCulture));
    }

    [Fact]
    public async Task A_host_that_is_a_directory_is_reached_over_the_servers_unix_socket()
    {
        await using var cluster = await PrivatePostgres.StartNewAsync(Ct);
        var source = Source(cluster, "not needed: local connections are trusted") with { Host = cluster.SocketDirectory };

        await using var connection = await ReplicationConnection.OpenAsync(source, Ct);
        var system = await BaseBackupStream.IdentifySystemAsync(connection, Ct);

        Assert.Equal(await cluster.QueryValueAsync("SELECT system_identifier::text FROM pg_control_system()", Ct), system.SystemId.ToString(System.Globalization.CultureInfo.InvariantCulture));
    }

    private static async Task RunAsync(string program, params string[] arguments)
    {
        using var process = System.Diagnostics.Process.Start(new System.Diagnostics.ProcessStartInfo(program, arguments) { RedirectStandardError = true })!;
        var errors = await process.StandardError.ReadToEndAsync(Ct);
        await process.WaitForExitAsync(Ct);
        Assert.True(process.ExitCode == 0, $"{program}: {errors}");
    }

    private static PostgresSource Source(PrivatePostgres cluster, string password) => new()
    {
        Name = "app",
        Host = cluster.Host,
        Port = cluster.Port,
        Database = "postgres",
        User = PrivatePostgres.Superuser,
        Password = password,
    };

    private static async Task<List<string>> EntriesAsync(MemoryStream tar)
    {
        tar.Position = 0;
        var entries = new List<string>();
        await using var reader = new TarReader(tar, leaveOpen: true);
        while (await reader.GetNextEntryAsync(copyData: false, Ct) is { } entry)
            entries.Add(entry.Name);
        return entries;
    }
}
