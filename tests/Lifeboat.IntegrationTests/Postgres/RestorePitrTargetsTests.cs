using System.Globalization;
using System.Text.RegularExpressions;
using Lifeboat.TestKit.Servers;
using static Lifeboat.IntegrationTests.Postgres.ArchivingCluster;

namespace Lifeboat.IntegrationTests.Postgres;

/// <summary>
/// restore pitr to a WAL position, a transaction (inclusive and exclusive), a named restore point and the end of the
/// archive: each recovered cluster holds exactly the content of that moment, from the base backup that ends before it.
/// </summary>
public sealed partial class RestorePitrTargetsTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Each_kind_of_target_recovers_exactly_the_content_at_it_from_the_newest_base_backup_before_it()
    {
        await using var cluster = await PrivatePostgres.CreateAsync(Ct);
        var config = await StartArchivingAsync(cluster);
        await cluster.ExecuteAsync("CREATE TABLE t (id int PRIMARY KEY, v text); INSERT INTO t SELECT g, md5(g::text) FROM generate_series(1, 20000) g", Ct);
        var first = await BaseBackupAsync(config);
        await cluster.ExecuteAsync("INSERT INTO t SELECT g, 'after backup' FROM generate_series(20001, 21000) g", Ct);

        var atLsn = await ChecksumAsync(cluster);
        var lsn = (await cluster.QueryValueAsync("SELECT pg_current_wal_insert_lsn()::text", Ct))!;
        await cluster.ExecuteAsync("UPDATE t SET v = 'after lsn' WHERE id <= 100", Ct);

        var beforeXid = await ChecksumAsync(cluster);
        var xid = (await cluster.QueryValueAsync("WITH u AS (UPDATE t SET v = 'in xid' WHERE id <= 200 RETURNING id) SELECT txid_current() + 0 * count(*) FROM u", Ct))!;
        var atXid = await ChecksumAsync(cluster);
        await cluster.ExecuteAsync("DELETE FROM t WHERE id > 20500", Ct);

        await cluster.ExecuteAsync("SELECT pg_create_restore_point('before-cleanup')", Ct);
        var atName = await ChecksumAsync(cluster);
        await cluster.ExecuteAsync("UPDATE t SET v = 'cleanup' WHERE id % 7 = 0", Ct);

        var second = await BaseBackupAsync(config);
        await cluster.ExecuteAsync("INSERT INTO t SELECT g, 'after second backup' FROM generate_series(30001, 30500) g", Ct);
        var atEnd = await ChecksumAsync(cluster);
        await SwitchAndWaitAsync(cluster);

        Assert.Equal(atLsn, await RecoveredChecksumAsync(config, first, "--target-lsn", lsn));
        Assert.Equal(atXid, await RecoveredChecksumAsync(config, first, "--target-xid", xid));
        Assert.Equal(beforeXid, await RecoveredChecksumAsync(config, first, "--target-xid", xid, "--exclusive"));
        Assert.Equal(atName, await RecoveredChecksumAsync(config, first, "--target-name", "before-cleanup"));
        Assert.Equal(atEnd, await RecoveredChecksumAsync(config, second, "--latest"));
        Assert.NotEqual(atXid, beforeXid);
    }

    [Fact]
    public async Task Targets_recovery_cannot_reach_are_refused_naming_why_before_anything_is_written()
    {
        await using var cluster = await PrivatePostgres.CreateAsync(Ct);
        var config = await StartArchivingAsync(cluster);
        await cluster.ExecuteAsync("CREATE TABLE t (id int PRIMARY KEY, v text); INSERT INTO t VALUES (1, 'one')", Ct);
        var beforeBackups = await XidOfUpdateAsync(cluster, "zero");
        await BaseBackupAsync(config);
        var xid = await XidOfUpdateAsync(cluster, "two");
        var lsn = (await cluster.QueryValueAsync("SELECT pg_current_wal_insert_lsn()::text", Ct))!;
        await cluster.ExecuteAsync("SELECT pg_create_restore_point('before-upgrade'); SELECT pg_create_restore_point('daily'); SELECT pg_create_restore_point('daily')", Ct);
        var later = await BaseBackupAsync(config);
        await SwitchAndWaitAsync(cluster);
        var target = Path.Combine(Path.GetDirectoryName(config)!, "recovered");

        var backupAfterXid = await RestoreAsync(config, target, "--backup", later, "--target-xid", xid);
        var backupAfterLsn = await RestoreAsync(config, target, "--backup", later[^8..^3], "--target-lsn", lsn);
        var xidBeforeBackups = await RestoreAsync(config, target, "--target-xid", beforeBackups);
        var unknownName = await RestoreAsync(config, target, "--target-name", "before-upgrad");
        var twoNamed = await RestoreAsync(config, target, "--target-name", "daily");
        var xidAfterArchive = await RestoreAsync(config, target, "--target-xid", (long.Parse(xid, CultureInfo.InvariantCulture) + 1000).ToString(CultureInfo.InvariantCulture));
        var noSuchTimeline = await RestoreAsync(config, target, "--latest", "--target-timeline", "7");

        Assert.Equal(2, backupAfterXid.ExitCode);
        Assert.Contains($"base backup {later} does not end before the target transaction {xid}: transaction {xid} had finished when it stopped", backupAfterXid.Stderr, StringComparison.Ordinal);
        Assert.Equal(2, backupAfterLsn.ExitCode);
        Assert.Contains($"base backup {later} does not end before the target position {lsn}: it becomes consistent only at ", backupAfterLsn.Stderr, StringComparison.Ordinal);
        Assert.Equal(2, xidBeforeBackups.ExitCode);
        Assert.Contains($"no base backup of 'app' in the history of timeline 1 stopped before transaction {beforeBackups} finished", xidBeforeBackups.Stderr, StringComparison.Ordinal);
        Assert.Equal(2, unknownName.ExitCode);
        Assert.Contains("there is no restore point named 'before-upgrad' in the WAL archived along the history of timeline 1", unknownName.Stderr, StringComparison.Ordinal);
        Assert.Contains("the nearest names: 'before-upgrade' at ", unknownName.Stderr, StringComparison.Ordinal);
        Assert.Equal(2, twoNamed.ExitCode);
        Assert.Contains("2 restore points are named 'daily' ('daily' at ", twoNamed.Stderr, StringComparison.Ordinal);
        Assert.Equal(2, xidAfterArchive.ExitCode);
        Assert.Contains($"transaction {long.Parse(xid, CultureInfo.InvariantCulture) + 1000} has no commit or abort record in the WAL archived", xidAfterArchive.Stderr, StringComparison.Ordinal);
        Assert.Contains("the recoverable window on timeline 1 runs from ", xidAfterArchive.Stderr, StringComparison.Ordinal);
        Assert.Equal(2, noSuchTimeline.ExitCode);
        Assert.Contains("timeline 7 has no history file in the archive of 'app'", noSuchTimeline.Stderr, StringComparison.Ordinal);
        Assert.False(Directory.Exists(target));
    }

    [Fact]
    public async Task A_hole_in_the_archive_refuses_only_targets_past_it()
    {
        await using var cluster = await PrivatePostgres.CreateAsync(Ct);
        var config = await StartArchivingAsync(cluster);
        await cluster.ExecuteAsync("CREATE TABLE t (x int)", Ct);
        await BaseBackupAsync(config);
        await cluster.ExecuteAsync("INSERT INTO t VALUES (1)", Ct);
        var beforeHole = (await cluster.QueryValueAsync("SELECT pg_current_wal_insert_lsn()::text", Ct))!;
        var segments = new List<string>();
        for (var i = 0; i < 3; i++)
        {
            segments.Add((await cluster.QueryValueAsync("SELECT pg_walfile_name(pg_current_wal_lsn())", Ct))!);
            await cluster.ExecuteAsync("INSERT INTO t VALUES (2); SELECT pg_switch_wal()", Ct);
        }

        await WaitUntilArchivedAsync(cluster, segments[^1]);
        var work = Path.GetDirectoryName(config)!;
        File.Delete(Directory.GetFiles(Path.Combine(work, "repo"), segments[1], SearchOption.AllDirectories).Single());

        var pastTheHole = await RestoreAsync(config, Path.Combine(work, "past"), "--latest");
        var beforeTheHole = await RestoreAsync(config, Path.Combine(work, "before"), "--target-lsn", beforeHole);

        Assert.Equal(1, pastTheHole.ExitCode);
        Assert.Contains($"WAL segment {segments[1]} is missing from the archive, though later segments are archived; recovery along timeline 1 would stop at {segments[0]}", pastTheHole.Stderr, StringComparison.Ordinal);
        Assert.True(beforeTheHole.ExitCode == 0, beforeTheHole.Stderr);
        Assert.Contains($"recovery_target_lsn = '{beforeHole}'", await File.ReadAllTextAsync(Path.Combine(work, "before", "postgresql.auto.conf"), Ct), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("--target-xid 812 --latest", "give exactly one of --target-time, --target-lsn, --target-xid, --target-name and --latest")]
    [InlineData("--target-name a --exclusive", "--exclusive applies to --target-time, --target-lsn and --target-xid only")]
    [InlineData("--latest --target-action pause", "--target-action has no effect with --latest")]
    [InlineData("--target-xid 2", "--target-xid takes a transaction id such as 1234")]
    [InlineData("--target-time 2026-12-03T10:42:35", "--target-time takes a moment with its time zone, such as 2026-12-03T10:42:35Z (UTC) or 2026-12-03T11:42:35+01:00, not '2026-12-03T10:42:35'")]
    [InlineData("--latest --target-timeline 0", "--target-timeline takes a timeline number such as 2, or latest, not '0'")]
    public async Task Targets_that_do_not_make_sense_together_are_usage_errors(string options, string expected)
    {
        var result = await Infrastructure.Cli.RunAsync(["restore", "pitr", "--data-dir", "/nonexistent/recovered", .. options.Split(' ')]);

        Assert.Equal(2, result.ExitCode);
        Assert.Contains(expected, result.Stderr, StringComparison.Ordinal);
    }

    internal static async Task<string> BaseBackupAsync(string config)
    {
        var backup = await AsServerUserAsync("--config", config, "backup", "postgres", "--physical", "--archive-timeout", "120");
        Assert.True(backup.ExitCode == 0, backup.Stderr);
        return BackupId().Match(backup.Stdout).Groups[1].Value;
    }

    private static async Task<string> XidOfUpdateAsync(PrivatePostgres cluster, string value) =>
        (await cluster.QueryValueAsync($"WITH u AS (UPDATE t SET v = '{value}' RETURNING id) SELECT txid_current() + 0 * count(*) FROM u", Ct))!;

    internal static async Task SwitchAndWaitAsync(PrivatePostgres cluster)
    {
        var last = (await cluster.QueryValueAsync("SELECT pg_walfile_name(pg_current_wal_lsn())", Ct))!;
        await cluster.ExecuteAsync("SELECT pg_switch_wal()", Ct);
        await WaitUntilArchivedAsync(cluster, last);
    }

    internal static Task<Infrastructure.Cli.Result> RestoreAsync(string config, string dataDir, params string[] target) =>
        Infrastructure.Cli.RunAsync(["--config", config, "restore", "pitr", "--data-dir", dataDir, .. target]);

    /// <summary>Recovers into a new data directory, checks the backup it started from, starts it (with <paramref name="settings"/>) and waits for it to promote.</summary>
    internal static async Task<(PrivatePostgres Cluster, string Stdout)> RecoverAsync(
        string config, string expectedBackup, string[] target, IEnumerable<KeyValuePair<string, string>>? settings = null)
    {
        var dataDir = PrivatePostgres.NewDataDirectoryPath();
        var restore = await RestoreAsync(config, dataDir, target);
        Assert.True(restore.ExitCode == 0, restore.Stderr);
        Assert.StartsWith($"laid out base backup {expectedBackup} in ", restore.Stdout, StringComparison.Ordinal);
        var recovered = await PrivatePostgres.AdoptAsync(dataDir, Ct);
        foreach (var (name, value) in settings ?? [])
            recovered.Set(name, value);
        await recovered.StartAsync(Ct);
        await WaitUntilAsync(() => recovered.QueryValueAsync("SELECT pg_is_in_recovery()::text", Ct).Result == "false", TimeSpan.FromSeconds(60));
        return (recovered, restore.Stdout);
    }

    private static async Task<string?> RecoveredChecksumAsync(string config, string expectedBackup, params string[] target)
    {
        var (recovered, stdout) = await RecoverAsync(config, expectedBackup, target);
        await using (recovered)
        {
            Assert.Contains(" on timeline 1\n", stdout, StringComparison.Ordinal);
            return await ChecksumAsync(recovered);
        }
    }

    [GeneratedRegex(@"^base backup (\S+):")]
    private static partial Regex BackupId();
}
