using Lifeboat.TestKit.Servers;
using static Lifeboat.IntegrationTests.Postgres.ArchivingCluster;

namespace Lifeboat.IntegrationTests.Postgres;

/// <summary>'list' shows the recoverable window of a real archiving cluster in its commit times, and 'check' finds a segment deleted from its archive.</summary>
public sealed class WalWindowTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task List_shows_the_window_to_the_last_commit_and_a_segment_deleted_in_the_middle_fails_check_with_3_and_cuts_the_window_there()
    {
        await using var cluster = await PrivatePostgres.CreateAsync(Ct);
        // Commit times to compare with, and no autovacuum commits besides the test's own.
        cluster.Set("track_commit_timestamp", "on").Set("autovacuum", "off");
        var config = await StartArchivingAsync(cluster);
        await cluster.ExecuteAsync("CREATE TABLE t (id int, v text)", Ct);
        var backup = await AsServerUserAsync("--config", config, "backup", "postgres", "--physical", "--archive-timeout", "120");
        Assert.True(backup.ExitCode == 0, backup.Stderr);
        var segments = new List<string>();
        for (var i = 0; i < 4; i++)
        {
            await cluster.ExecuteAsync($"INSERT INTO t VALUES ({i}, 'row {i}')", Ct); // its own transaction, committed before the switch
            segments.Add((await cluster.QueryValueAsync("SELECT pg_walfile_name(pg_current_wal_insert_lsn())", Ct))!); // the segment its commit is in
            await cluster.ExecuteAsync("SELECT pg_switch_wal()", Ct);
        }

        await WaitUntilArchivedAsync(cluster, segments[^1]);
        var list = await AsServerUserAsync("--config", config, "list");
        File.Delete(Directory.GetFiles(Path.Combine(Path.GetDirectoryName(config)!, "repo"), segments[1], SearchOption.AllDirectories).Single());
        var check = await AsServerUserAsync("--config", config, "check");
        var checkJson = await AsServerUserAsync("--config", config, "--json", "check");
        var cut = await AsServerUserAsync("--config", config, "list");
        var json = await AsServerUserAsync("--config", config, "--json", "list");

        Assert.True(list.ExitCode == 0, list.Stderr);
        Assert.Matches(@"base \(stop [0-9A-F]+/[0-9A-F]+, timeline 1\)", list.Stdout);
        var expected = $" to {await CommitTimeAsync(cluster, 3)} UTC (last archived commit, in {segments[3]}), timeline 1; WAL archive: ";
        Assert.True(list.Stdout.Contains(expected, StringComparison.Ordinal), $"'{expected}' is not in:\n{list.Stdout}");
        Assert.Equal(3, check.ExitCode);
        Assert.Contains($"lifeboat: problem: postgres/app WAL timeline 1: {segments[1]} missing (1 segment)", check.Stderr, StringComparison.Ordinal);
        Assert.Contains($"\"sources\":[{{\"source\":\"postgres\",\"name\":\"app\",\"passed\":[],\"problems\":[\"postgres/app WAL timeline 1: {segments[1]} missing (1 segment)\"]", checkJson.Stdout, StringComparison.Ordinal);
        Assert.Contains($"postgres/app: WAL {segments[1]} is missing (1 segment): the window ends at {await CommitTimeAsync(cluster, 0)} UTC; ", cut.Stdout, StringComparison.Ordinal);
        Assert.Contains($" to {await CommitTimeAsync(cluster, 0)} UTC (last archived commit, in {segments[0]})", cut.Stdout, StringComparison.Ordinal);
        Assert.Matches("\"kind\":\"base\",.*\"stopLsn\":\"[0-9A-F]+/[0-9A-F]+\",\"timeline\":1,.*\"recoverableWindow\":\\{", json.Stdout);
        Assert.Contains($"\"missing\":\"{segments[1]}\"", json.Stdout, StringComparison.Ordinal);
    }

    private static async Task<string> CommitTimeAsync(PrivatePostgres cluster, int row) =>
        (await cluster.QueryValueAsync($"SELECT to_char(pg_xact_commit_timestamp(xmin) AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS.US') FROM t WHERE id = {row}", Ct))!;
}
