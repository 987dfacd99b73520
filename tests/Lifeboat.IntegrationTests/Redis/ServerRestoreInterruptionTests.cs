using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;
using Lifeboat.Redis.ServerRestore;
using StackExchange.Redis;

namespace Lifeboat.IntegrationTests.Redis;

/// <summary>
/// A restore into a running Redis stopped part way (interrupted, its connection dropped, the server gone) says what the
/// target had confirmed written, counting every command still in flight first, so nothing lands after it is said; and
/// through the connection Lifeboat makes, no command waits for a reconnection to be sent.
/// </summary>
public sealed class ServerRestoreInterruptionTests
{
    private const int Keys = 300_000;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task An_interrupted_restore_says_how_many_keys_the_target_holds_and_none_lands_after()
    {
        var rdb = await ManyKeysAsync();
        await using var redis = await RedisTestServer.StartAsync();
        await using var admin = await RedisTestServer.AdminAsync(redis);
        using var interrupt = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        var target = await RestoreTargetConnection.ConnectAsync(new RestoreTargetAddress(redis.Host, redis.Port), Ct);
        var whileWriting = new StopWhileWriting(interrupt.Cancel);

        var e = await Assert.ThrowsAsync<InterruptedWithWorkLeftException>(() => RestoreAsync(target, rdb, whileWriting, interrupt.Token));

        var held = await SettledKeyCountAsync(admin);
        Assert.True(whileWriting.Stopped);
        Assert.InRange(held, 1, Keys - 1);
        Assert.Equal($"the restore into {target.Name} stopped after it had confirmed {held} keys written ({held} in database 0)", e.WorkLeft.Message);
        Assert.Equal("the target holds part of the backup now: empty it (or the databases written) and restore again", e.WorkLeft.Hint);
        Assert.Equal(RemedyAction.RestoreAgainOverPartialRestore, e.WorkLeft.Remedy?.Action);
    }

    [Fact]
    public async Task A_restore_whose_connection_is_killed_says_how_many_keys_it_confirmed_and_none_lands_after()
    {
        var rdb = await ManyKeysAsync();
        await using var redis = await RedisTestServer.StartAsync();
        await using var admin = await RedisTestServer.AdminAsync(redis);
        var target = await RestoreTargetConnection.ConnectAsync(new RestoreTargetAddress(redis.Host, redis.Port), Ct);
        var whileWriting = new StopWhileWriting(() => KillRestoreConnection(admin));

        var e = await Assert.ThrowsAsync<LifeboatException>(() => RestoreAsync(target, rdb, whileWriting, Ct));

        var held = await SettledKeyCountAsync(admin);
        Assert.True(whileWriting.Stopped);
        Assert.InRange(held, 1, Keys - 1);
        Assert.StartsWith($"{target.Name} did not answer RESTORE of key 'key:", e.Message, StringComparison.Ordinal);
        var confirmed = Regex.Match(e.Message, $@"; the restore stopped there, after {Regex.Escape(target.Name)} had confirmed (\d+) keys written \(\1 in database 0\)$");
        Assert.True(confirmed.Success, e.Message);
        // RESTOREs the server ran as the connection died lost their answers: the target may hold those few more than confirmed.
        Assert.InRange(held - long.Parse(confirmed.Groups[1].Value, CultureInfo.InvariantCulture), 0, new ServerRestoreOptions().MaxCommandsInFlight);
    }

    [Fact]
    public async Task A_restore_whose_server_is_killed_fails_at_once_rather_than_wait_for_it_to_come_back()
    {
        var rdb = await ManyKeysAsync();
        await using var redis = await RedisTestServer.StartAsync();
        await using var admin = await RedisTestServer.AdminAsync(redis);
        var target = await RestoreTargetConnection.ConnectAsync(new RestoreTargetAddress(redis.Host, redis.Port), Ct);
        var killed = Stopwatch.StartNew();
        var whileWriting = new StopWhileWriting(() =>
        {
            Process.GetProcessById(redis.ProcessId).Kill();
            killed.Restart();
        });

        var e = await Assert.ThrowsAsync<LifeboatException>(() => RestoreAsync(target, rdb, whileWriting, Ct));

        Assert.True(whileWriting.Stopped);
        Assert.True(killed.Elapsed < TimeSpan.FromSeconds(20), $"the restore failed {killed.Elapsed} after the server was killed");
        Assert.StartsWith($"{target.Name} did not answer ", e.Message, StringComparison.Ordinal);
        Assert.Contains($"; the restore stopped there, after {target.Name} had confirmed ", e.Message, StringComparison.Ordinal);
    }

    /// <summary>An RDB of <see cref="Keys"/> small string keys (DEBUG POPULATE).</summary>
    private static async Task<string> ManyKeysAsync()
    {
        var directory = RedisTestServers.NewDirectory("redis-interrupt");
        await using var source = await RedisTestServer.StartAsync();
        await using var admin = await RedisTestServer.AdminAsync(source);
        await admin.GetDatabase().ExecuteAsync("DEBUG", "POPULATE", Keys, "key", 100);
        var rdb = Path.Combine(directory, "dump.rdb");
        File.Copy(await RedisTestServer.SaveAsync(source, admin), rdb);
        return rdb;
    }

    // The restore's connection sends no CLIENT SETNAME (CLIENT is a command it leaves out), so every other client goes.
    private static void KillRestoreConnection(IConnectionMultiplexer admin) =>
        admin.GetDatabase().Execute("CLIENT", "KILL", "TYPE", "normal", "SKIPME", "yes");

    /// <summary>The target's keys once the restore has said what it wrote, asked again a moment later: nothing may land after that.</summary>
    private static async Task<long> SettledKeyCountAsync(IConnectionMultiplexer admin)
    {
        var held = (long)await admin.GetDatabase().ExecuteAsync("DBSIZE");
        await Task.Delay(TimeSpan.FromSeconds(1), Ct);
        Assert.Equal(held, (long)await admin.GetDatabase().ExecuteAsync("DBSIZE"));
        return held;
    }

    private static async Task RestoreAsync(RestoreTarget target, string rdb, IActivityReporter reporter, CancellationToken cancellationToken)
    {
        try
        {
            await RdbServerRestore.RunAsync(RedisTestServer.Opener(rdb), "the RDB", target, new ServerRestoreOptions(), reporter, cancellationToken);
        }
        finally
        {
            await target.Connection.DisposeAsync();
        }
    }

    /// <summary>
    /// Stops the restore at its first progress report of the writing pass, a few MiB in, from within that report (so the
    /// restore goes on only once the stop is done): always part way, however loaded the machine.
    /// </summary>
    private sealed class StopWhileWriting(Action stop) : IActivityReporter, ITransferProgress
    {
        private int _stopped;

        public bool Stopped => Volatile.Read(ref _stopped) == 1;

        public void Event(string message) { }

        public void Warning(string message) { }

        public ITransferProgress StartTransfer(string description, long? totalBytes, bool estimated = false) =>
            description.StartsWith("restoring into", StringComparison.Ordinal) ? this : SilentReporter.Instance.StartTransfer(description, totalBytes, estimated);

        public IProgress<ItemsDone> StartItems(string description, int totalItems) => SilentReporter.Instance.StartItems(description, totalItems);

        public void Report(long value)
        {
            if (value > 0 && Interlocked.Exchange(ref _stopped, 1) == 0)
                stop();
        }

        public void Reestimate(long totalBytes) { }
    }
}
