using Lifeboat.TestKit.Servers;
using static Lifeboat.IntegrationTests.Postgres.ArchivingCluster;

namespace Lifeboat.IntegrationTests.Postgres;

/// <summary>
/// Prefetching is an optimisation: when its spool cannot be used, 'lifeboat wal-fetch' says so in one warning line
/// (PostgreSQL logs it) and fetches the segment directly, so recovery goes on instead of stopping.
/// </summary>
public sealed class WalFetchFallbackTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Theory]
    [InlineData("writable by all")]
    [InlineData("a file")]
    public async Task An_unusable_spool_directory_is_one_warning_and_the_segment_is_still_fetched_with_exit_0(string spoolIs)
    {
        await using var cluster = await PrivatePostgres.CreateAsync(Ct);
        var config = await StartArchivingAsync(cluster);
        var work = Path.GetDirectoryName(config)!;
        var segment = (await cluster.QueryValueAsync("SELECT pg_walfile_name(pg_current_wal_lsn())", Ct))!;
        await cluster.ExecuteAsync("CREATE TABLE t (id int, v text); INSERT INTO t SELECT g, md5(g::text) FROM generate_series(1, 1000) g; SELECT pg_switch_wal()", Ct);
        await WaitUntilArchivedAsync(cluster, segment);
        var spool = Path.Combine(work, "spool");
        if (spoolIs == "a file")
        {
            await File.WriteAllTextAsync(spool, "", Ct);
        }
        else
        {
            Directory.CreateDirectory(spool);
            File.SetUnixFileMode(spool, (UnixFileMode)0b111_111_111);
        }

        var target = Path.Combine(work, "restored", segment);
        Directory.CreateDirectory(Path.GetDirectoryName(target)!);
        var fetch = await Infrastructure.Cli.RunAsync("--config", config, "wal-fetch", "--spool-dir", spool, segment, target);

        Assert.True(fetch.ExitCode == 0, fetch.Stderr);
        Assert.StartsWith("lifeboat: warning: prefetching failed (", Assert.Single(fetch.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries)), StringComparison.Ordinal);
        Assert.Contains($"{segment} is fetched directly.", fetch.Stderr, StringComparison.Ordinal);
        Assert.Equal(await File.ReadAllBytesAsync(Path.Combine(cluster.DataDirectory, "pg_wal", segment), Ct), await File.ReadAllBytesAsync(target, Ct));
    }
}
