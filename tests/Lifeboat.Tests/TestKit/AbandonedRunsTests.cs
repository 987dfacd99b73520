using System.Globalization;
using Lifeboat.TestKit.Servers;

namespace Lifeboat.Tests.TestKit;

public sealed class AbandonedRunsTests : IDisposable
{
    private static readonly TimeSpan SignalWait = TimeSpan.FromSeconds(10);
    private static readonly TimeSpan NoSignalWait = TimeSpan.FromMilliseconds(300);

    private readonly string _root = SymbolicLinks.Resolve(Directory.CreateTempSubdirectory("lifeboat-runs-").FullName);

    public void Dispose() => Directory.Delete(_root, recursive: true);

    [Fact]
    public void A_run_whose_lock_is_held_is_left_as_it_is()
    {
        var run = NewRun("100-live");
        using var held = RunLock.Take(run);

        AbandonedRuns.Clear(_root);

        Assert.True(Directory.Exists(run));
    }

    [Fact]
    public void A_run_whose_lock_is_free_is_removed()
    {
        var run = NewRun("100-dead");
        RunLock.Take(run).Dispose();

        AbandonedRuns.Clear(_root);

        Assert.False(Directory.Exists(run));
    }

    [Fact]
    public void A_run_whose_process_number_is_taken_by_a_live_process_is_still_removed_when_its_lock_is_free()
    {
        var run = NewRun($"{Environment.ProcessId}-reused");
        RunLock.Take(run).Dispose();

        AbandonedRuns.Clear(_root);

        Assert.False(Directory.Exists(run));
    }

    [Fact]
    public void A_run_being_created_is_left_though_its_lock_is_not_taken_yet()
    {
        var run = NewRun(AbandonedRuns.BeingCreatedPrefix + "100-new");
        RunLock.Take(run).Dispose();

        AbandonedRuns.Clear(_root);

        Assert.True(Directory.Exists(run));
    }

    [Fact]
    public void A_run_without_a_lock_file_is_left_while_it_changed_within_the_grace_time()
    {
        var run = NewRun("100-old-kit");

        AbandonedRuns.Clear(_root);

        Assert.True(Directory.Exists(run));
    }

    [Fact]
    public void A_run_without_a_lock_file_untouched_for_longer_than_the_grace_time_is_removed()
    {
        var run = NewRun("100-old-kit");
        Directory.SetLastWriteTimeUtc(run, DateTime.UtcNow - AbandonedRuns.LocklessGrace - TimeSpan.FromMinutes(1));

        AbandonedRuns.Clear(_root);

        Assert.False(Directory.Exists(run));
    }

    [Fact]
    public void The_postmaster_of_an_abandoned_cluster_gets_sigquit()
    {
        var dataDirectory = AbandonedCluster();
        using var postmaster = StandInDaemon.Start("postgres", dataDirectory);
        WritePostmasterPid(dataDirectory, postmaster.Pid, DateTimeOffset.UtcNow);

        AbandonedRuns.Clear(_root);

        Assert.True(postmaster.EndsWithin(SignalWait), "the postmaster was not signalled");
        Assert.Empty(Directory.GetDirectories(_root));
    }

    [Fact]
    public void A_postgres_process_working_in_another_directory_is_not_signalled_though_a_stale_pid_file_names_it()
    {
        var dataDirectory = AbandonedCluster();
        using var otherCluster = StandInDaemon.Start("postgres", _root);
        WritePostmasterPid(dataDirectory, otherCluster.Pid, DateTimeOffset.UtcNow);

        AbandonedRuns.Clear(_root);

        Assert.False(otherCluster.EndsWithin(NoSignalWait), "another cluster's postmaster was signalled");
        Assert.False(Directory.Exists(dataDirectory));
    }

    [Fact]
    public void A_postgres_process_that_started_after_the_pid_file_was_written_is_not_signalled()
    {
        var dataDirectory = AbandonedCluster();
        using var laterProcess = StandInDaemon.Start("postgres", dataDirectory);
        WritePostmasterPid(dataDirectory, laterProcess.Pid, DateTimeOffset.UtcNow - TimeSpan.FromHours(1));

        AbandonedRuns.Clear(_root);

        Assert.False(laterProcess.EndsWithin(NoSignalWait), "a process that reused the postmaster's pid was signalled");
        Assert.False(Directory.Exists(dataDirectory));
    }

    [Fact]
    public void The_redis_server_of_an_abandoned_run_is_killed()
    {
        var serverDirectory = AbandonedRedis();
        using var redis = StandInDaemon.Start("redis-server", Path.Combine(serverDirectory, "data"));
        File.WriteAllText(Path.Combine(serverDirectory, PrivateRedis.PidFileName), $"{redis.Pid}\n");

        AbandonedRuns.Clear(_root);

        Assert.True(redis.EndsWithin(SignalWait), "the redis server was not killed");
        Assert.False(Directory.Exists(serverDirectory));
    }

    [Fact]
    public void A_process_working_in_another_directory_is_not_killed_though_a_stale_redis_pid_file_names_it()
    {
        var serverDirectory = AbandonedRedis();
        using var otherServer = StandInDaemon.Start("redis-server", _root);
        File.WriteAllText(Path.Combine(serverDirectory, PrivateRedis.PidFileName), $"{otherServer.Pid}\n");

        AbandonedRuns.Clear(_root);

        Assert.False(otherServer.EndsWithin(NoSignalWait), "another redis server was killed");
        Assert.False(Directory.Exists(serverDirectory));
    }

    private string NewRun(string name) => Directory.CreateDirectory(Path.Combine(_root, name)).FullName;

    // A run whose lock is free, holding a cluster's directory as PrivatePostgres lays it out; returns its data directory.
    private string AbandonedCluster()
    {
        var run = NewRun("100-dead");
        RunLock.Take(run).Dispose();
        var serverDirectory = Directory.CreateDirectory(Path.Combine(run, "pg-1")).FullName;
        var dataDirectory = Directory.CreateDirectory(Path.Combine(serverDirectory, "data")).FullName;
        File.WriteAllText(Path.Combine(serverDirectory, PrivatePostgres.DataDirectoryNote), dataDirectory);
        return dataDirectory;
    }

    // A run whose lock is free, holding a redis server's directory as PrivateRedis lays it out; returns that directory.
    private string AbandonedRedis()
    {
        var run = NewRun("100-dead");
        RunLock.Take(run).Dispose();
        var serverDirectory = Directory.CreateDirectory(Path.Combine(run, "redis-1")).FullName;
        Directory.CreateDirectory(Path.Combine(serverDirectory, "data"));
        return serverDirectory;
    }

    // The lines PostgreSQL writes: pid, data directory, start time, port, socket directory, listen address, shared memory key, status.
    private static void WritePostmasterPid(string dataDirectory, int pid, DateTimeOffset started) =>
        File.WriteAllLines(Path.Combine(dataDirectory, PostmasterPidFile.Name),
            [pid.ToString(CultureInfo.InvariantCulture), dataDirectory, started.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture),
             "5432", "/tmp", "127.0.0.1", "  1234567     98304", "ready   "]);
}
