using Lifeboat.IntegrationTests.Infrastructure;
using Lifeboat.TestKit.Servers;
using static Lifeboat.IntegrationTests.Postgres.ArchivingCluster;

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

        // No verdict of failure is left, and the pusher lets go of its lock once idle.
        var spool = Directory.GetDirectories(Path.Combine(work, "spool")).Single();
        Assert.Empty(Directory.GetFiles(spool, "*.failed"));
        await WaitUntilAsync(() => !PusherHoldsLock(spool), TimeSpan.FromSeconds(20));
    }

    [Fact]
    public async Task A_base_backup_is_recorded_once_the_wal_from_its_start_to_its_stop_is_archived()
    {
        await using var cluster = await PrivatePostgres.CreateAsync(Ct);
        var config = await StartArchivingAsync(cluster);
        await cluster.ExecuteAsync("CREATE TABLE t AS SELECT g AS id, md5(g::text) AS v FROM generate_series(1, 100000) g", Ct);

        // As the server's OS user, like wal-push: processes writing one directory repository must share a user.
        var backup = await AsServerUserAsync("--config", config, "backup", "postgres", "--physical", "--archive-timeout", "120");
        var list = await AsServerUserAsync("--config", config, "--json", "list");

        Assert.True(backup.ExitCode == 0, backup.Stderr + string.Join('\n', File.ReadLines(cluster.LogFile).TakeLast(20)));
        Assert.Matches(@"^base backup \S+: postgres/app \(1 tablespace\(s\), WAL [0-9A-F]{24} to [0-9A-F]{24} archived\)", backup.Stdout);
        Assert.Contains("\"kind\":\"base\"", list.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_base_backup_whose_wal_never_reaches_the_archive_fails_saying_what_the_archiver_reports_and_records_nothing()
    {
        await using var cluster = await PrivatePostgres.CreateAsync(Ct);
        var work = await cluster.CreateServerDirectoryAsync("lifeboat", Ct);
        await cluster.Set("archive_mode", "on").Set("archive_command", "/bin/false").StartAsync(Ct);
        var config = await WriteConfigAsync(cluster, work);

        var backup = await AsServerUserAsync("--config", config, "backup", "postgres", "--physical", "--archive-timeout", "3");
        var list = await Infrastructure.Cli.RunAsync(Password, "--config", config, "--json", "list");

        Assert.Equal(1, backup.ExitCode);
        Assert.Contains("which the base backup needs, did not reach the archive within 3 s; archiving is not working: pg_stat_archiver reports 0 archived", backup.Stderr, StringComparison.Ordinal);
        Assert.Equal("[]", list.Stdout.Trim());
    }

    [Fact]
    public async Task A_base_backup_of_a_server_that_does_not_archive_is_refused_before_anything_is_copied()
    {
        await using var cluster = await PrivatePostgres.StartNewAsync(Ct);
        var config = await WriteConfigAsync(cluster, await cluster.CreateServerDirectoryAsync("lifeboat", Ct));

        var backup = await Infrastructure.Cli.RunAsync(Password, "--config", config, "backup", "postgres", "--physical");

        Assert.Equal(2, backup.ExitCode);
        Assert.Contains("has archive_mode = off: a base backup cannot be recovered without the WAL archived after it", backup.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Restore_pitr_to_a_moment_gives_a_cluster_whose_content_is_the_content_of_that_moment()
    {
        await using var cluster = await PrivatePostgres.CreateAsync(Ct);
        var config = await StartArchivingAsync(cluster);
        await cluster.ExecuteAsync("CREATE TABLE t (id int PRIMARY KEY, v text); INSERT INTO t SELECT g, md5(g::text) FROM generate_series(1, 20000) g; CREATE TABLE doomed (x int); INSERT INTO doomed VALUES (1)", Ct);
        var backup = await AsServerUserAsync("--config", config, "backup", "postgres", "--physical", "--archive-timeout", "120");
        Assert.True(backup.ExitCode == 0, backup.Stderr);

        await cluster.ExecuteAsync("INSERT INTO t SELECT g, 'after backup' FROM generate_series(20001, 25000) g", Ct);
        var atT1 = await ChecksumAsync(cluster);
        await Task.Delay(1100, Ct);
        var t1 = DateTimeOffset.Parse((await cluster.QueryValueAsync("SELECT to_char(clock_timestamp() AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.US\"Z\"')", Ct))!, System.Globalization.CultureInfo.InvariantCulture);
        await Task.Delay(1100, Ct);
        await cluster.ExecuteAsync("UPDATE t SET v = 'too late' WHERE id <= 1000; DROP TABLE doomed", Ct);
        var last = (await cluster.QueryValueAsync("SELECT pg_walfile_name(pg_current_wal_lsn())", Ct))!;
        await cluster.ExecuteAsync("SELECT pg_switch_wal()", Ct);
        await WaitUntilArchivedAsync(cluster, last);

        var dataDir = PrivatePostgres.NewDataDirectoryPath();
        var restore = await Infrastructure.Cli.RunAsync("--config", config, "restore", "pitr", "--data-dir", dataDir, "--target-time", t1.ToString("O", System.Globalization.CultureInfo.InvariantCulture));
        Assert.True(restore.ExitCode == 0, restore.Stderr);
        await using var recovered = await PrivatePostgres.AdoptAsync(dataDir, Ct);
        await recovered.StartAsync(Ct);
        await WaitUntilAsync(() => recovered.QueryValueAsync("SELECT pg_is_in_recovery()::text", Ct).Result == "false", TimeSpan.FromSeconds(60));

        Assert.Equal(atT1, await ChecksumAsync(recovered));
        Assert.Equal("1", await recovered.QueryValueAsync("SELECT count(*) FROM doomed", Ct));
    }

    [Fact]
    public async Task Restore_pitr_refuses_a_target_after_the_last_archived_commit_and_a_non_empty_directory_before_writing_anything()
    {
        await using var cluster = await PrivatePostgres.CreateAsync(Ct);
        var config = await StartArchivingAsync(cluster);
        Assert.Equal(0, (await AsServerUserAsync("--config", config, "backup", "postgres", "--physical", "--archive-timeout", "120")).ExitCode);
        var full = Path.Combine(Path.GetDirectoryName(config)!, "occupied");
        Directory.CreateDirectory(full);
        await File.WriteAllTextAsync(Path.Combine(full, "keep.txt"), "mine", Ct);
        var empty = Path.Combine(Path.GetDirectoryName(config)!, "empty");

        var tooLate = await Infrastructure.Cli.RunAsync("--config", config, "restore", "pitr", "--data-dir", empty, "--target-time", DateTimeOffset.UtcNow.AddHours(1).ToString("O", System.Globalization.CultureInfo.InvariantCulture));
        var occupied = await Infrastructure.Cli.RunAsync("--config", config, "restore", "pitr", "--data-dir", full, "--latest");

        Assert.Equal(2, tooLate.ExitCode);
        Assert.Contains("lies after the last archived commit", tooLate.Stderr, StringComparison.Ordinal);
        Assert.False(Directory.Exists(empty));
        Assert.Equal(2, occupied.ExitCode);
        Assert.Contains("is not empty and is not a PostgreSQL data directory (it has no PG_VERSION), so even a forced restore would not empty it; nothing was written", occupied.Stderr, StringComparison.Ordinal);
        Assert.Equal(["keep.txt"], Directory.GetFileSystemEntries(full).Select(Path.GetFileName));
    }

    [Fact]
    public async Task Restore_pitr_refuses_a_segment_missing_between_archived_ones_naming_it_before_writing_anything()
    {
        await using var cluster = await PrivatePostgres.CreateAsync(Ct);
        var config = await StartArchivingAsync(cluster);
        Assert.Equal(0, (await AsServerUserAsync("--config", config, "backup", "postgres", "--physical", "--archive-timeout", "120")).ExitCode);
        var segments = new List<string>();
        for (var i = 0; i < 3; i++)
        {
            segments.Add((await cluster.QueryValueAsync("SELECT pg_walfile_name(pg_current_wal_lsn())", Ct))!);
            await cluster.ExecuteAsync("CREATE TABLE IF NOT EXISTS t (x int); INSERT INTO t VALUES (1); SELECT pg_switch_wal()", Ct);
        }

        await WaitUntilArchivedAsync(cluster, segments[^1]);
        var work = Path.GetDirectoryName(config)!;
        File.Delete(Directory.GetFiles(Path.Combine(work, "repo"), segments[1], SearchOption.AllDirectories).Single());
        var target = Path.Combine(work, "recovered");

        var restore = await Infrastructure.Cli.RunAsync("--config", config, "restore", "pitr", "--data-dir", target, "--latest");

        Assert.Equal(1, restore.ExitCode);
        Assert.Contains($"WAL segment {segments[1]} is missing from the archive, though later segments are archived", restore.Stderr, StringComparison.Ordinal);
        Assert.False(Directory.Exists(target));
    }

    [Fact]
    public async Task A_mistyped_restore_command_exits_above_125_so_that_recovery_stops_instead_of_ending_early()
    {
        var missingDestination = await Infrastructure.Cli.RunAsync("wal-fetch", "000000010000000000000001");
        var unknownOption = await Infrastructure.Cli.RunAsync("wal-fetch", "--no-such-option", "4", "000000010000000000000001", "pg_wal/RECOVERYXLOG");

        Assert.Equal(127, missingDestination.ExitCode);
        Assert.Equal(127, unknownOption.ExitCode);
        Assert.StartsWith("lifeboat: error: ", missingDestination.Stderr, StringComparison.Ordinal);
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
}
