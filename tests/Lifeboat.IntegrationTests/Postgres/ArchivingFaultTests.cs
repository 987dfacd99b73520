using System.Diagnostics;
using Lifeboat.Format;
using Lifeboat.TestKit.Servers;
using static Lifeboat.IntegrationTests.Postgres.ArchivingCluster;

namespace Lifeboat.IntegrationTests.Postgres;

/// <summary>
/// Faults on the real path (issue 9, "Bad input and faults"): a PostgreSQL cluster archiving through 'lifeboat wal-push'
/// and recovering through 'lifeboat wal-fetch'. Each ends in one clear line, an exit code PostgreSQL acts on rightly, and
/// nothing damaged.
/// </summary>
public sealed class ArchivingFaultTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Theory]
    [InlineData("repo", UnixFileMode.None)]
    [InlineData("repo/postgres/app/wal/00000001", UnixFileMode.UserRead | UnixFileMode.UserExecute)]
    public async Task A_repository_that_cannot_be_written_fails_wal_push_quickly_leaves_nothing_half_stored_and_postgresqls_retry_then_archives_the_segment(
        string locked, UnixFileMode lockedMode)
    {
        await using var cluster = await PrivatePostgres.CreateAsync(Ct);
        cluster.Set("wal_keep_size", "1GB"); // the segment stays in pg_wal to compare with
        var config = await StartArchivingAsync(cluster);
        var work = Path.GetDirectoryName(config)!;
        var repository = Path.Combine(work, "repo");
        await ArchiveOneSegmentAsync(cluster); // the archive's folders exist
        var segment = await CurrentSegmentAsync(cluster);
        var lockedPath = Path.Combine(work, locked);
        var mode = File.GetUnixFileMode(lockedPath);

        File.SetUnixFileMode(lockedPath, lockedMode);
        Infrastructure.Cli.Result push;
        TimeSpan took;
        try
        {
            await cluster.ExecuteAsync("INSERT INTO t SELECT g, 'during the outage' FROM generate_series(1, 1000) g; SELECT pg_switch_wal()", Ct);
            await WaitForAsync(async () => await FailedCountAsync(cluster) > 0 && await LastFailedAsync(cluster) == segment);
            var clock = Stopwatch.StartNew();
            push = await AsServerUserAsync("--config", config, "wal-push", Path.Combine(cluster.DataDirectory, "pg_wal", segment));
            took = clock.Elapsed;

            // Read as the tests' user (root in CI), which the lock does not stop: nothing of the segment reached the repository.
            Assert.Empty(Directory.GetFiles(repository, segment + "*", SearchOption.AllDirectories));
            Assert.Empty(Directory.Exists(Path.Combine(repository, ".tmp")) ? Directory.GetFiles(Path.Combine(repository, ".tmp")) : []);
        }
        finally
        {
            File.SetUnixFileMode(lockedPath, mode);
        }

        Assert.True(push.ExitCode is 1 or 2, $"{push.ExitCode}: {push.Stderr}");
        Assert.InRange(took, TimeSpan.Zero, TimeSpan.FromSeconds(10));
        Assert.StartsWith("lifeboat: error: ", Assert.Single(push.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries)), StringComparison.Ordinal);

        // PostgreSQL retries the same file by itself; a new segment wakes its archiver sooner.
        await cluster.ExecuteAsync("INSERT INTO t VALUES (0, 'after'); SELECT pg_switch_wal()", Ct);
        await WaitUntilArchivedAsync(cluster, segment);
        var fetched = Path.Combine(work, segment + ".fetched");
        var fetch = await Infrastructure.Cli.RunAsync("--config", config, "wal-fetch", "--prefetch", "0", segment, fetched);
        Assert.True(fetch.ExitCode == 0, fetch.Stderr);
        Assert.Equal(await File.ReadAllBytesAsync(Path.Combine(cluster.DataDirectory, "pg_wal", segment), Ct), await File.ReadAllBytesAsync(fetched, Ct));
    }

    [Fact]
    public async Task A_configuration_naming_another_key_fails_wal_push_and_wal_fetch_with_one_clear_line_and_stores_nothing()
    {
        await using var cluster = await PrivatePostgres.CreateAsync(Ct);
        var config = await StartArchivingAsync(cluster);
        var work = Path.GetDirectoryName(config)!;
        var archived = await ArchiveOneSegmentAsync(cluster);
        var otherKey = Path.Combine(work, "other.key");
        KeyFile.Create(otherKey);
        var wrong = Path.Combine(work, "wrong-key.yaml");
        await File.WriteAllTextAsync(wrong, (await File.ReadAllTextAsync(config, Ct)).Replace(Path.Combine(work, "repo.key"), otherKey, StringComparison.Ordinal), Ct);
        await GiveToServerUserAsync(work);
        var before = RepositoryFiles(work);
        var current = await CurrentSegmentAsync(cluster);
        var target = Path.Combine(work, "fetched", "RECOVERYXLOG");
        Directory.CreateDirectory(Path.GetDirectoryName(target)!);

        var push = await AsServerUserAsync("--config", wrong, "wal-push", Path.Combine(cluster.DataDirectory, "pg_wal", current));
        var fetch = await Infrastructure.Cli.RunAsync("--config", wrong, "wal-fetch", archived, target);

        Assert.Equal(1, push.ExitCode);
        Assert.StartsWith("lifeboat: error: the key does not open the repository", Assert.Single(push.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries)), StringComparison.Ordinal);
        Assert.Equal(127, fetch.ExitCode);
        Assert.StartsWith("lifeboat: error: the key does not open the repository", Assert.Single(fetch.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries)), StringComparison.Ordinal);
        Assert.False(File.Exists(target));
        Assert.Equal(before, RepositoryFiles(work));
    }

    [Fact]
    public async Task A_second_cluster_archiving_into_the_same_source_is_refused_naming_both_system_identifiers_and_the_first_archive_stays_intact()
    {
        await using var first = await PrivatePostgres.CreateAsync(Ct);
        first.Set("wal_keep_size", "1GB");
        var config = await StartArchivingAsync(first);
        var work = Path.GetDirectoryName(config)!;
        var archived = await ArchiveOneSegmentAsync(first);
        var before = RepositoryFiles(work);
        await using var second = await PrivatePostgres.AdoptAsync(await InitdbAsync(), Ct);
        // The same configuration, so the same repository and source, through the real archive_command.
        await second.Set("archive_mode", "on").Set("archive_command", $"'{Infrastructure.Cli.Executable}' --config '{config}' --quiet wal-push %p").StartAsync(Ct);

        await second.ExecuteAsync("CREATE TABLE intruder (x int); INSERT INTO intruder VALUES (1); SELECT pg_switch_wal()", Ct);
        await WaitForAsync(async () => await FailedCountAsync(second) > 0);
        var firstId = await first.QueryValueAsync("SELECT system_identifier FROM pg_control_system()", Ct);
        var secondId = await second.QueryValueAsync("SELECT system_identifier FROM pg_control_system()", Ct);

        Assert.Equal("0", await second.QueryValueAsync("SELECT archived_count FROM pg_stat_archiver", Ct));
        var lifeboatLines = File.ReadLines(second.LogFile).Where(line => line.StartsWith("lifeboat: ", StringComparison.Ordinal)).ToList();
        Assert.NotEmpty(lifeboatLines);
        Assert.All(lifeboatLines, line => Assert.Matches(
            $"^lifeboat: error: refusing WAL file '[0-9A-F]{{24}}': it comes from the cluster with system identifier {secondId}, and this archive belongs to {firstId}\\. hint: ", line));
        Assert.Equal(before, RepositoryFiles(work));
        var fetched = Path.Combine(work, archived + ".fetched");
        var fetch = await Infrastructure.Cli.RunAsync("--config", config, "wal-fetch", "--prefetch", "0", archived, fetched);
        Assert.True(fetch.ExitCode == 0, fetch.Stderr);
        Assert.Equal(await File.ReadAllBytesAsync(Path.Combine(first.DataDirectory, "pg_wal", archived), Ct), await File.ReadAllBytesAsync(fetched, Ct));
    }

    [Fact]
    public async Task A_corrupted_segment_stops_recovery_with_a_fatal_error_naming_it_and_the_prefetcher_never_hands_it_over()
    {
        await using var cluster = await PrivatePostgres.CreateAsync(Ct);
        var config = await StartArchivingAsync(cluster);
        var work = Path.GetDirectoryName(config)!;
        await cluster.ExecuteAsync("CREATE TABLE t (id int, v text); INSERT INTO t SELECT g, md5(g::text) FROM generate_series(1, 10000) g", Ct);
        var backup = await AsServerUserAsync("--config", config, "backup", "postgres", "--physical", "--archive-timeout", "120");
        Assert.True(backup.ExitCode == 0, backup.Stderr);
        var segments = new List<string>();
        for (var i = 0; i < 4; i++)
        {
            segments.Add((await CurrentSegmentAsync(cluster))!);
            await cluster.ExecuteAsync($"INSERT INTO t SELECT g, 'round {i}' FROM generate_series(1, 5000) g; SELECT pg_switch_wal()", Ct);
        }

        await WaitUntilArchivedAsync(cluster, segments[^1]);
        var corrupted = segments[2];
        var stored = Directory.GetFiles(Path.Combine(work, "repo"), corrupted, SearchOption.AllDirectories).Single();
        var bytes = await File.ReadAllBytesAsync(stored, Ct);
        bytes[bytes.Length / 2] ^= 0x20;
        await File.WriteAllBytesAsync(stored, bytes, Ct);
        var dataDir = PrivatePostgres.NewDataDirectoryPath();
        var restore = await Infrastructure.Cli.RunAsync("--config", config, "restore", "pitr", "--data-dir", dataDir, "--latest");
        Assert.True(restore.ExitCode == 0, restore.Stderr);

        await using var recovered = await PrivatePostgres.AdoptAsync(dataDir, Ct);
        try
        {
            await recovered.StartAsync(Ct);
        }
        catch (InvalidOperationException)
        {
            // Recovery may fail before the server ever accepts a connection: the log says why.
        }

        await WaitForAsync(() => Task.FromResult(File.ReadAllText(recovered.LogFile).Contains("FATAL", StringComparison.Ordinal)));
        var log = await File.ReadAllTextAsync(recovered.LogFile, Ct);
        Assert.Contains($"lifeboat: error: object 'postgres/app/wal/00000001/{corrupted}' is corrupt", log, StringComparison.Ordinal);
        Assert.Contains("FATAL", log, StringComparison.Ordinal);
        Assert.DoesNotContain("selected new timeline", log, StringComparison.Ordinal);
        Assert.DoesNotContain("archive recovery complete", log, StringComparison.Ordinal);
        Assert.Empty(Directory.GetFiles(Path.Combine(dataDir, "pg_wal"), corrupted, SearchOption.AllDirectories));
        var prefetcherLog = Directory.GetFiles(Path.Combine(dataDir, "pg_wal", ".lifeboat-prefetch"), "prefetcher.log", SearchOption.AllDirectories).Single();
        Assert.Contains($"{corrupted} is damaged in the archive and was not kept", await File.ReadAllTextAsync(prefetcherLog, Ct), StringComparison.Ordinal);
    }

    /// <summary>A cluster of its own (the kit's clusters are copies of one template, so they share a system identifier).</summary>
    private static async Task<string> InitdbAsync()
    {
        var dataDir = PrivatePostgres.NewDataDirectoryPath();
        await PostgresOsUser.CreateDirectoriesAsync([dataDir], Ct);
        var passwordFile = Path.Combine(TestRunDirectory.Path, $"second-cluster-password-{Guid.NewGuid():N}");
        await File.WriteAllTextAsync(passwordFile, PrivatePostgres.Password + "\n", Ct);
        try
        {
            await PostgresOsUser.GiveFileAsync(passwordFile, Ct);
            await PostgresOsUser.RunAsync(PostgresBinaries.Program("initdb"),
                ["-D", dataDir, "-U", PrivatePostgres.Superuser, $"--pwfile={passwordFile}", "--auth-local=trust", "--auth-host=scram-sha-256", "--no-sync", "--no-instructions"],
                Ct);
        }
        finally
        {
            File.Delete(passwordFile);
        }

        return dataDir;
    }

    private static async Task<string> CurrentSegmentAsync(PrivatePostgres cluster) =>
        (await cluster.QueryValueAsync("SELECT pg_walfile_name(pg_current_wal_lsn())", Ct))!;

    /// <summary>Writes into a new segment, switches and waits until that segment is archived; returns its name.</summary>
    private static async Task<string> ArchiveOneSegmentAsync(PrivatePostgres cluster)
    {
        var segment = await CurrentSegmentAsync(cluster);
        await cluster.ExecuteAsync("CREATE TABLE IF NOT EXISTS t (id int, v text); INSERT INTO t SELECT g, md5(g::text) FROM generate_series(1, 1000) g; SELECT pg_switch_wal()", Ct);
        await WaitUntilArchivedAsync(cluster, segment);
        return segment;
    }

    private static async Task<long> FailedCountAsync(PrivatePostgres cluster) =>
        long.Parse((await cluster.QueryValueAsync("SELECT failed_count FROM pg_stat_archiver", Ct))!, System.Globalization.CultureInfo.InvariantCulture);

    private static Task<string?> LastFailedAsync(PrivatePostgres cluster) => cluster.QueryValueAsync("SELECT last_failed_wal FROM pg_stat_archiver", Ct);

    /// <summary>Every file of the repository with its size, to show that nothing was added or changed.</summary>
    private static List<string> RepositoryFiles(string work) =>
        Directory.GetFiles(Path.Combine(work, "repo"), "*", SearchOption.AllDirectories)
            .Where(path => !path.Contains("/locks/", StringComparison.Ordinal))
            .Select(path => $"{Path.GetRelativePath(work, path)} {new FileInfo(path).Length} {File.GetLastWriteTimeUtc(path):O}")
            .Order(StringComparer.Ordinal)
            .ToList();

    private static async Task WaitForAsync(Func<Task<bool>> condition)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
        while (!await condition() && DateTime.UtcNow < deadline)
            await Task.Delay(200, Ct);
        Assert.True(await condition(), "still not so after 60 s");
    }
}
