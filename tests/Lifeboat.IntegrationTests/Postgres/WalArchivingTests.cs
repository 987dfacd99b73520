using System.Diagnostics;
using Lifeboat.IntegrationTests.Infrastructure;
using Lifeboat.TestKit.Configuration;
using Lifeboat.TestKit.Servers;

namespace Lifeboat.IntegrationTests.Postgres;

/// <summary>
/// The real path: a PostgreSQL cluster whose archive_command is 'lifeboat wal-push %p', run by the server as its own
/// OS user, and 'lifeboat wal-fetch' giving every archived segment back as the server wrote it.
/// </summary>
public sealed class WalArchivingTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Every_segment_the_server_archives_through_wal_push_comes_back_byte_identical_through_wal_fetch()
    {
        await using var cluster = await PrivatePostgres.CreateAsync(Ct);
        var config = await StartArchivingAsync(cluster);
        var work = Path.GetDirectoryName(config)!;

        await cluster.ExecuteAsync("CREATE TABLE t (id int, v text); INSERT INTO t SELECT g, md5(g::text) FROM generate_series(1, 200000) g", Ct);
        var segments = new List<string>();
        for (var i = 0; i < 3; i++)
        {
            segments.Add((await cluster.QueryValueAsync("SELECT pg_walfile_name(pg_current_wal_lsn())", Ct))!);
            await cluster.ExecuteAsync("INSERT INTO t VALUES (-1, 'x'); SELECT pg_switch_wal()", Ct);
        }

        await WaitUntilArchivedAsync(cluster, segments[^1]);
        foreach (var segment in segments)
        {
            var fetched = Path.Combine(work, segment + ".fetched");
            var fetch = await Infrastructure.Cli.RunAsync("--config", config, "wal-fetch", segment, fetched);

            Assert.True(fetch.ExitCode == 0, fetch.Stderr);
            Assert.Equal(await File.ReadAllBytesAsync(Path.Combine(cluster.DataDirectory, "pg_wal", segment), Ct), await File.ReadAllBytesAsync(fetched, Ct));
        }
    }

    [Fact]
    public async Task In_async_mode_a_background_pusher_archives_every_segment_byte_identical_and_exits_when_idle()
    {
        await using var cluster = await PrivatePostgres.CreateAsync(Ct);
        cluster.Set("wal_keep_size", "1GB"); // every segment stays in pg_wal to compare with
        var config = await StartArchivingAsync(cluster, "--async --processes 3 --idle-exit 3 --spool-dir '{work}/spool'");
        var work = Path.GetDirectoryName(config)!;

        var segments = new List<string>();
        await cluster.ExecuteAsync("CREATE TABLE t (id int, v text)", Ct);
        for (var i = 0; i < 12; i++)
        {
            segments.Add((await cluster.QueryValueAsync("SELECT pg_walfile_name(pg_current_wal_lsn())", Ct))!);
            await cluster.ExecuteAsync($"INSERT INTO t SELECT g, md5(g::text) FROM generate_series(1, {1000 * (i + 1)}) g; SELECT pg_switch_wal()", Ct);
        }

        await WaitUntilArchivedAsync(cluster, segments[^1]);
        foreach (var segment in segments)
        {
            var fetched = Path.Combine(work, segment + ".fetched");
            var fetch = await Infrastructure.Cli.RunAsync("--config", config, "wal-fetch", segment, fetched);

            Assert.True(fetch.ExitCode == 0, fetch.Stderr);
            Assert.Equal(await File.ReadAllBytesAsync(Path.Combine(cluster.DataDirectory, "pg_wal", segment), Ct), await File.ReadAllBytesAsync(fetched, Ct));
        }

        // Verdicts are taken by the calls that waited for them; the pusher lets go of its lock once idle.
        var spool = Directory.GetDirectories(Path.Combine(work, "spool")).Single();
        Assert.Empty(Directory.GetFiles(spool, "*.stored"));
        await WaitUntilAsync(() => !PusherHoldsLock(spool), TimeSpan.FromSeconds(20));
    }

    [Fact]
    public async Task Wal_fetch_exits_1_for_a_file_the_archive_lacks_and_126_for_a_damaged_one_leaving_no_file()
    {
        await using var cluster = await PrivatePostgres.CreateAsync(Ct);
        var config = await StartArchivingAsync(cluster);
        var work = Path.GetDirectoryName(config)!;
        var segment = (await cluster.QueryValueAsync("SELECT pg_walfile_name(pg_current_wal_lsn())", Ct))!;
        await cluster.ExecuteAsync("SELECT pg_switch_wal()", Ct);
        await WaitUntilArchivedAsync(cluster, segment);
        var stored = Directory.GetFiles(Path.Combine(work, "repo"), segment, SearchOption.AllDirectories).Single();
        var bytes = await File.ReadAllBytesAsync(stored, Ct);
        bytes[bytes.Length / 2] ^= 0x20;
        await File.WriteAllBytesAsync(stored, bytes, Ct);

        var missing = await Infrastructure.Cli.RunAsync("--config", config, "wal-fetch", "0000000100000000000000FF", Path.Combine(work, "RECOVERYXLOG"));
        var damaged = await Infrastructure.Cli.RunAsync("--config", config, "wal-fetch", segment, Path.Combine(work, "RECOVERYXLOG"));

        Assert.Equal(1, missing.ExitCode);
        Assert.StartsWith("lifeboat: WAL file '0000000100000000000000FF' is not in the archive at ", missing.Stderr, StringComparison.Ordinal);
        Assert.Equal(126, damaged.ExitCode);
        Assert.StartsWith($"lifeboat: error: object 'postgres/app/wal/00000001/{segment}' is corrupt", damaged.Stderr, StringComparison.Ordinal);
        Assert.Empty(Directory.GetFiles(work, "RECOVERYXLOG*"));
    }

    /// <summary>
    /// Starts the cluster archiving through lifeboat, with the repository and configuration in a directory its OS user
    /// owns, as on a database host. The configuration names the server's port, known once it runs.
    /// </summary>
    private static async Task<string> StartArchivingAsync(PrivatePostgres cluster, string pushOptions = "")
    {
        var work = await cluster.CreateServerDirectoryAsync("lifeboat", Ct);
        var configPath = Path.Combine(work, "lifeboat.yaml");
        var options = pushOptions.Replace("{work}", work, StringComparison.Ordinal);
        await cluster.Set("archive_mode", "on").Set("archive_command", $"'{Infrastructure.Cli.Executable}' --config '{configPath}' --quiet wal-push {options} %p").StartAsync(Ct);
        var config = new LifeboatConfigBuilder()
            .RepositoryUrl(Path.Combine(work, "repo"))
            .KeyFile(Path.Combine(work, "repo.key"))
            .Postgres(new PostgresSourceConfig { Name = "app", Host = cluster.Host, Port = cluster.Port, Database = "postgres", User = PrivatePostgres.Superuser })
            .WriteTo(configPath);
        var init = await Infrastructure.Cli.RunAsync("--config", config, "init");
        Assert.True(init.ExitCode == 0, $"{init.ExitCode}: {init.Stderr}{init.Stdout}");
        await GiveToServerUserAsync(work);
        return config;
    }

    private static async Task GiveToServerUserAsync(string path)
    {
        if (!Environment.IsPrivilegedProcess)
            return; // the tests and the server already run as one user
        using var chown = Process.Start("chown", ["-R", "postgres", path])!;
        await chown.WaitForExitAsync(Ct);
        Assert.Equal(0, chown.ExitCode);
    }

    // The pusher holds an exclusive flock on its lock file while it runs; taking it shows that it has gone.
    private static bool PusherHoldsLock(string spool)
    {
        try
        {
            using var probe = new FileStream(Path.Combine(spool, "pusher.lock"), FileMode.Open, FileAccess.ReadWrite, FileShare.None);
            return false;
        }
        catch (IOException)
        {
            return true;
        }
    }

    private static async Task WaitUntilAsync(Func<bool> condition, TimeSpan limit)
    {
        var deadline = DateTime.UtcNow + limit;
        while (!condition() && DateTime.UtcNow < deadline)
            await Task.Delay(100, Ct);
        Assert.True(condition(), $"still not so after {limit.TotalSeconds} s");
    }

    private static async Task WaitUntilArchivedAsync(PrivatePostgres cluster, string segment)
    {
        for (var i = 0; i < 300; i++)
        {
            var last = await cluster.QueryValueAsync("SELECT coalesce(last_archived_wal, '') FROM pg_stat_archiver", Ct);
            if (string.CompareOrdinal(last, segment) >= 0)
                return;
            await Task.Delay(100, Ct);
        }

        Assert.Fail($"segment {segment} was not archived: {await cluster.QueryValueAsync("SELECT row_to_json(a)::text FROM pg_stat_archiver a", Ct)}");
    }
}
