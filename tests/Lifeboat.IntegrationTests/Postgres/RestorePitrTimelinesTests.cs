using System.Globalization;
using Lifeboat.TestKit.Servers;
using static Lifeboat.IntegrationTests.Postgres.ArchivingCluster;
using static Lifeboat.IntegrationTests.Postgres.RestorePitrTargetsTests;

namespace Lifeboat.IntegrationTests.Postgres;

/// <summary>
/// A point-in-time restore that goes on as the new production archives timeline 2 into the same source; a second
/// restore follows that timeline's history from the base backup taken on timeline 1.
/// </summary>
public sealed class RestorePitrTimelinesTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task A_second_pitr_follows_the_new_timeline_from_the_first_ones_base_backup_to_exactly_the_content_at_its_target()
    {
        await using var production = await PrivatePostgres.CreateAsync(Ct);
        var config = await StartArchivingAsync(production);
        await production.ExecuteAsync("CREATE TABLE t (id int PRIMARY KEY, v text); INSERT INTO t SELECT g, md5(g::text) FROM generate_series(1, 20000) g", Ct);
        var backup = await BaseBackupAsync(config);
        await production.ExecuteAsync("INSERT INTO t SELECT g, 'before t1' FROM generate_series(20001, 21000) g", Ct);
        var t1 = await MomentAsync(production);
        await production.ExecuteAsync("UPDATE t SET v = 'lost with timeline 1' WHERE id <= 1000", Ct);
        await SwitchAndWaitAsync(production);

        // The first recovery becomes the new production: it archives into the same source, on timeline 2, while the old
        // one goes on along timeline 1 and takes a base backup there, on a branch timeline 2 has left.
        var archiving = new Dictionary<string, string> { ["archive_mode"] = "on", ["archive_command"] = ArchiveCommand(config) };
        var (promoted, first) = await RecoverAsync(config, backup, ["--target-time", t1, "--archive-mode", "preserve"], archiving);
        await using (promoted)
        {
            var abandoned = await BaseBackupAsync(config);
            await promoted.ExecuteAsync("INSERT INTO t SELECT g, 'on timeline 2' FROM generate_series(40001, 42000) g", Ct);
            var atT2 = await ChecksumAsync(promoted);
            var t2 = await MomentAsync(promoted);
            await promoted.ExecuteAsync("DELETE FROM t WHERE id <= 5000", Ct);
            await SwitchAndWaitAsync(promoted);
            // The old production archives on along timeline 1 after timeline 2 began: two live branches, which list,
            // check and a restore following the latest timeline warn of, naming the flag that follows the other.
            await production.ExecuteAsync("INSERT INTO t VALUES (50001, 'timeline 1 goes on')", Ct);
            await SwitchAndWaitAsync(production);
            var list = await AsServerUserAsync("--config", config, "list");
            var check = await AsServerUserAsync("--config", config, "check");
            var tooLate = await RestoreAsync(config, Path.Combine(Path.GetDirectoryName(config)!, "nowhere"), "--target-time", "2099-01-01T00:00:00Z");

            var notAChild = await RestoreAsync(config, Path.Combine(Path.GetDirectoryName(config)!, "nowhere"), "--target-time", t2, "--backup", abandoned, "--target-timeline", "2");
            var (second, stdout) = await RecoverAsync(config, backup, ["--target-time", t2]);
            await using (second)
            {
                Assert.Contains(" on timeline 1\n", first, StringComparison.Ordinal);
                Assert.Contains(" on timeline 2\n", stdout, StringComparison.Ordinal);
                Assert.Equal(atT2, await ChecksumAsync(second));
                Assert.Equal("3", await second.QueryValueAsync("SELECT timeline_id::text FROM pg_control_checkpoint()", Ct));
            }

            const string Fork = "two timelines went on writing: timeline 1 (which timeline 2 left at ";
            const string Hint = ". hint: if timeline 1 is the one that matters, recover along it with --target-timeline 1";
            Assert.True(list.ExitCode == 0, list.Stderr);
            Assert.Contains($"postgres/app: warning: {Fork}", list.Stdout, StringComparison.Ordinal);
            Assert.Contains(Hint, list.Stdout, StringComparison.Ordinal);
            Assert.True(check.ExitCode == 0, check.Stderr + check.Stdout);
            Assert.Contains($"postgres/app WAL: {Fork}", check.Stderr, StringComparison.Ordinal);
            Assert.Equal(2, tooLate.ExitCode);
            Assert.Contains($"WARN {Fork}", tooLate.Stderr, StringComparison.Ordinal);
            Assert.Contains(Hint, tooLate.Stderr, StringComparison.Ordinal);
            Assert.Equal(2, notAChild.ExitCode);
            Assert.Contains($"base backup {abandoned} (timeline 1, ", notAChild.Stderr, StringComparison.Ordinal);
            Assert.Contains("is not in the history of timeline 2, which left timeline 1 at ", notAChild.Stderr, StringComparison.Ordinal);
            Assert.Contains("PostgreSQL would stop with 'requested timeline 2 is not a child of this server's history'", notAChild.Stderr, StringComparison.Ordinal);
        }
    }

    // Like archive_command on production: the same lifeboat, configuration and source.
    private static string ArchiveCommand(string config) => $"'{Infrastructure.Cli.Executable}' --config '{config}' --quiet wal-push %p";

    private static async Task<string> MomentAsync(PrivatePostgres cluster)
    {
        await Task.Delay(1100, Ct);
        var moment = (await cluster.QueryValueAsync("SELECT to_char(clock_timestamp() AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.US\"Z\"')", Ct))!;
        await Task.Delay(1100, Ct);
        return DateTimeOffset.Parse(moment, CultureInfo.InvariantCulture).ToString("O", CultureInfo.InvariantCulture);
    }
}
