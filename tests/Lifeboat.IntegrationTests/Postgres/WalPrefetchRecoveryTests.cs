using Lifeboat.TestKit.Servers;
using static Lifeboat.IntegrationTests.Postgres.ArchivingCluster;

namespace Lifeboat.IntegrationTests.Postgres;

/// <summary>Recovery through restore_command = 'lifeboat wal-fetch', with the background prefetcher reading ahead of it.</summary>
public sealed class WalPrefetchRecoveryTests
{
    private const int Ahead = 8;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Recovery_over_many_segments_is_fed_from_the_prefetch_spool_gives_the_same_content_and_leaves_the_spool_bounded_then_empty()
    {
        await using var cluster = await PrivatePostgres.CreateAsync(Ct);
        var config = await StartArchivingAsync(cluster, "--async --processes 2 --spool-dir '{work}/push-spool'");
        await cluster.ExecuteAsync("CREATE TABLE t (id int PRIMARY KEY, v text); INSERT INTO t SELECT g, md5(g::text) FROM generate_series(1, 1000) g", Ct);
        var backup = await AsServerUserAsync("--config", config, "backup", "postgres", "--physical", "--archive-timeout", "120");
        Assert.True(backup.ExitCode == 0, backup.Stderr);
        for (var i = 0; i < 30; i++)
            await cluster.ExecuteAsync($"INSERT INTO t SELECT g, md5(g::text) FROM generate_series({(i + 1) * 2000}, {(i + 1) * 2000 + 1999}) g; SELECT pg_switch_wal()", Ct);
        var content = await ChecksumAsync(cluster);
        var last = (await cluster.QueryValueAsync("SELECT pg_walfile_name(pg_current_wal_lsn())", Ct))!;
        await cluster.ExecuteAsync("SELECT pg_switch_wal()", Ct);
        await WaitUntilAsync(() => string.CompareOrdinal(cluster.QueryValueAsync("SELECT coalesce(last_archived_wal, '') FROM pg_stat_archiver", Ct).Result, last) >= 0, TimeSpan.FromMinutes(3));

        var dataDir = PrivatePostgres.NewDataDirectoryPath();
        var restore = await Infrastructure.Cli.RunAsync("--config", config, "restore", "pitr", "--data-dir", dataDir, "--latest");
        Assert.True(restore.ExitCode == 0, restore.Stderr);
        // Each call says where its segment came from in the server's log; the prefetcher exits soon after recovery.
        var settings = Path.Combine(dataDir, "postgresql.auto.conf");
        // Each word is quoted for the shell, each quote doubled in the setting's string; --quiet would silence --verbose.
        var original = await File.ReadAllTextAsync(settings, Ct);
        var withPrefetch = original.Replace("''--quiet'' ''wal-fetch''", $"''--verbose'' ''wal-fetch'' ''--prefetch'' ''{Ahead}'' ''--processes'' ''2'' ''--idle-exit'' ''3''", StringComparison.Ordinal);
        Assert.NotEqual(original, withPrefetch);
        await File.WriteAllTextAsync(settings, withPrefetch, Ct);
        await using var recovered = await PrivatePostgres.AdoptAsync(dataDir, Ct);
        var spoolRoot = Path.Combine(dataDir, "pg_wal", ".lifeboat-prefetch");
        var most = 0;
        using var watching = new CancellationTokenSource();
        var watcher = WatchSpoolAsync(spoolRoot, held => most = Math.Max(most, held), watching.Token);

        await recovered.StartAsync(Ct);
        await WaitUntilAsync(() => recovered.QueryValueAsync("SELECT pg_is_in_recovery()::text", Ct).Result == "false", TimeSpan.FromSeconds(120));
        var spool = Directory.GetDirectories(spoolRoot).Single();
        await WaitUntilAsync(() => !PrefetcherHoldsLock(spool), TimeSpan.FromSeconds(30));
        await watching.CancelAsync();
        await watcher;

        Assert.Equal(content, await ChecksumAsync(recovered));
        var log = await File.ReadAllTextAsync(recovered.LogFile, Ct);
        var prefetched = log.Split('\n').Count(line => line.EndsWith(" was prefetched", StringComparison.Ordinal));
        var prefetcherLog = Path.Combine(spool, "prefetcher.log");
        Assert.True(prefetched >= 10, $"only {prefetched} segments came from the spool:\n{log}\nprefetcher.log:\n{(File.Exists(prefetcherLog) ? await File.ReadAllTextAsync(prefetcherLog, Ct) : "none")}");
        // A fetch that finishes after recovery moved past its segment is dropped, never let in: the bound is exact.
        Assert.InRange(most, 1, Ahead);
        Assert.Empty(SegmentsIn(spool));
    }

    // The prefetcher holds an exclusive flock on its lock file while it runs; taking it shows that it has gone. Taking
    // it for an instant is harmless: a prefetcher that starts in that instant waits the probe out (as for wal-fetch's).
    private static bool PrefetcherHoldsLock(string spool)
    {
        try
        {
            using var probe = new FileStream(Path.Combine(spool, "prefetcher.lock"), FileMode.Open, FileAccess.ReadWrite, FileShare.None);
            return false;
        }
        catch (IOException)
        {
            return true;
        }
    }

    private static string[] SegmentsIn(string spool) =>
        Directory.Exists(spool) ? Directory.GetFiles(spool).Where(path => Path.GetFileName(path).Length == 24).ToArray() : [];

    /// <summary>Counts the segments the spool holds, every few milliseconds, until cancelled.</summary>
    private static async Task WatchSpoolAsync(string spoolRoot, Action<int> held, CancellationToken cancellationToken)
    {
        while (!cancellationToken.IsCancellationRequested)
        {
            try
            {
                if (Directory.Exists(spoolRoot))
                    held(Directory.GetDirectories(spoolRoot).Sum(spool => SegmentsIn(spool).Length));
            }
            catch (IOException)
            {
                // a file went while being listed: the next look counts again
            }

            await Task.Delay(5, CancellationToken.None);
        }
    }
}
