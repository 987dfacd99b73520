using Lifeboat.TestKit.Servers;
using Npgsql;

namespace Lifeboat.IntegrationTests.PrivateServers;

/// <summary>PostgreSQL clusters of a test's own, as PITR and archiving tests need: their own port, settings and data.</summary>
public sealed class PrivatePostgresTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Two_private_clusters_run_at_once_on_different_ports_and_see_different_data()
    {
        await using var first = await PrivatePostgres.StartNewAsync(Ct);
        await using var second = await PrivatePostgres.StartNewAsync(Ct);

        await first.ExecuteAsync("CREATE TABLE only_here (x int); INSERT INTO only_here VALUES (1)", Ct);

        Assert.NotEqual(first.Port, second.Port);
        Assert.Equal("1", await first.QueryValueAsync("SELECT count(*) FROM only_here", Ct));
        Assert.Null(await second.QueryValueAsync("SELECT to_regclass('only_here')::text", Ct));
    }

    [Fact]
    public async Task A_setting_given_before_the_start_is_in_effect()
    {
        const string command = "test -f /nonexistent/%f || cp %p '/tmp/it''s here/%f'";
        await using var cluster = await PrivatePostgres.StartNewAsync(
            new Dictionary<string, string> { ["archive_mode"] = "on", ["archive_command"] = command },
            Ct);

        Assert.Equal(command, await cluster.QueryValueAsync("SHOW archive_command", Ct));
        Assert.Equal("on", await cluster.QueryValueAsync("SHOW archive_mode", Ct));
    }

    [Fact]
    public async Task The_archive_command_given_to_the_cluster_archives_a_finished_wal_segment()
    {
        await using var cluster = await PrivatePostgres.CreateAsync(Ct);
        var archive = await cluster.CreateServerDirectoryAsync("archive", Ct);
        await cluster.Set("archive_mode", "on").Set("archive_command", $"cp %p {archive}/%f").StartAsync(Ct);

        var segment = await cluster.QueryValueAsync("SELECT pg_walfile_name(pg_switch_wal())", Ct);

        await WaitUntilAsync(() => File.Exists(Path.Combine(archive, segment!)));
    }

    [Fact]
    public async Task Each_cluster_listens_on_a_unix_socket_in_its_own_directory()
    {
        await using var cluster = await PrivatePostgres.StartNewAsync(Ct);
        var overSocket = new NpgsqlConnectionStringBuilder(cluster.ConnectionString()) { Host = cluster.SocketDirectory }.ConnectionString;

        await using var connection = new NpgsqlConnection(overSocket);
        await connection.OpenAsync(Ct);

        Assert.True(File.Exists(Path.Combine(cluster.SocketDirectory, $".s.PGSQL.{cluster.Port}")));
    }

    [Fact]
    public async Task A_cluster_started_on_a_copy_of_a_stopped_clusters_data_directory_serves_the_copied_data()
    {
        await using var original = await PrivatePostgres.StartNewAsync(Ct);
        await original.ExecuteAsync("CREATE TABLE kept (note text); INSERT INTO kept VALUES ('from the original')", Ct);
        await original.StopAsync(Ct);
        var copy = PrivatePostgres.NewDataDirectoryPath();
        CopyDirectory(original.DataDirectory, copy);

        await using var restored = await PrivatePostgres.AdoptAsync(copy, Ct);
        await restored.StartAsync(Ct);

        Assert.Equal(copy, restored.DataDirectory);
        Assert.Equal("from the original", await restored.QueryValueAsync("SELECT note FROM kept", Ct));
    }

    [Fact]
    public async Task A_stopped_cluster_starts_again_with_its_data()
    {
        await using var cluster = await PrivatePostgres.StartNewAsync(Ct);
        await cluster.ExecuteAsync("CREATE TABLE t (x int); INSERT INTO t VALUES (7)", Ct);
        await cluster.StopAsync(Ct);

        await cluster.StartAsync(Ct);

        Assert.Equal("7", await cluster.QueryValueAsync("SELECT x FROM t", Ct));
    }

    [Fact]
    public async Task Disposing_a_cluster_ends_its_postmaster_and_removes_its_directory()
    {
        var cluster = await PrivatePostgres.StartNewAsync(Ct);
        var pid = PidOnFirstLine(Path.Combine(cluster.DataDirectory, PostmasterPidFile.Name));

        await cluster.DisposeAsync();

        Assert.False(LinuxProcess.IsAlive(pid), $"postmaster {pid} still runs");
        Assert.False(Directory.Exists(cluster.Directory));
    }

    [Fact]
    public async Task The_postmaster_pid_file_of_a_running_cluster_is_recognised_as_naming_its_postmaster()
    {
        await using var cluster = await PrivatePostgres.StartNewAsync(Ct);

        var verified = PostmasterPidFile.VerifiedPid(cluster.DataDirectory);

        Assert.Equal(PidOnFirstLine(Path.Combine(cluster.DataDirectory, PostmasterPidFile.Name)), verified);
    }

    private static int PidOnFirstLine(string pidFile) => int.Parse(File.ReadLines(pidFile).First(), System.Globalization.CultureInfo.InvariantCulture);

    // cp -a, as an operator copying a data directory would: ownership and modes come along.
    private static void CopyDirectory(string from, string to)
    {
        using var copy = System.Diagnostics.Process.Start("cp", ["-a", from, to]);
        copy.WaitForExit();
        Assert.Equal(0, copy.ExitCode);
    }

    private static async Task WaitUntilAsync(Func<bool> condition)
    {
        for (var waited = TimeSpan.Zero; waited < TimeSpan.FromSeconds(30); waited += TimeSpan.FromMilliseconds(50))
        {
            if (condition())
                return;
            await Task.Delay(50, Ct);
        }

        Assert.Fail("the condition did not become true within 30 s");
    }
}
