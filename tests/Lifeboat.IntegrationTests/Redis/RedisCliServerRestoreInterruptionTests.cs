using System.Diagnostics;
using Lifeboat.IntegrationTests.Infrastructure;
using StackExchange.Redis;
using static Lifeboat.IntegrationTests.Redis.RedisTestServers;

namespace Lifeboat.IntegrationTests.Redis;

/// <summary>'restore redis --to-server' stopped by a signal, through the executable: nothing cleans up the keys written, so it says how many there are.</summary>
public sealed class RedisCliServerRestoreInterruptionTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task SIGTERM_during_a_restore_into_a_server_exits_130_saying_how_many_keys_it_left_there()
    {
        await using var source = await StartAsync(Ct);
        await using var sourceAdmin = await ConnectAsync(source);
        await sourceAdmin.GetDatabase().ExecuteAsync("DEBUG", "POPULATE", 300_000, "key", 100);
        await using var repo = await TestRepository.CreateLocalAsync();
        var config = WriteConfig(repo, source);
        var backup = await Infrastructure.Cli.RunAsync("--config", config, "backup", "redis");
        Assert.True(backup.ExitCode == 0, backup.Stderr);
        await using var target = await StartAsync(Ct);
        await using var targetAdmin = await ConnectAsync(target);
        var endpoint = $"{target.Host}:{target.Port}";

        var info = new ProcessStartInfo(Infrastructure.Cli.Executable, ["--config", config, "restore", "redis", "--to-server", endpoint])
        { RedirectStandardError = true, RedirectStandardOutput = true, UseShellExecute = false };
        info.Environment["CI"] = "true";
        using var process = Process.Start(info)!;
        var stderr = process.StandardError.ReadToEndAsync(Ct);
        var stdout = process.StandardOutput.ReadToEndAsync(Ct);
        var paused = await Task.Factory.StartNew(() => PauseWritesOnceWritten(targetAdmin, process, 2_000), Ct, TaskCreationOptions.LongRunning, TaskScheduler.Default);
        if (!paused)
            Assert.Fail($"the restore ended before it was stopped: {await stderr}");

        // The shell's builtin kill: no dependency on a kill binary being installed.
        Process.Start("/bin/sh", ["-c", $"kill -TERM {process.Id}"])!.WaitForExit();
        await process.WaitForExitAsync(Ct);

        var held = (long)await targetAdmin.GetDatabase().ExecuteAsync("DBSIZE");
        Assert.True(process.ExitCode == 130, await stderr + await stdout);
        Assert.InRange(held, 2_000, 299_999);
        var error = Assert.Single((await stderr).Split('\n'), l => l.StartsWith("lifeboat: error: ", StringComparison.Ordinal));
        Assert.Equal(
            $"lifeboat: error: interrupted by a signal; the restore into the Redis at {endpoint} stopped after it had confirmed {held} keys written ({held} in database 0). "
            + "hint: the target holds part of the backup now: empty it (or the databases written) and restore again; or restore again over what it holds with --force --replace",
            error);
    }

    // On a thread of its own, which a busy thread pool cannot hold up, and the target's writes paused for 3 s as soon as
    // it holds that many keys: the restore (under a second of writing) is surely still under way when the signal comes.
    // False when the restore ended first.
    private static bool PauseWritesOnceWritten(IConnectionMultiplexer admin, Process process, long keys)
    {
        var db = admin.GetDatabase();
        while ((long)db.Execute("DBSIZE") < keys)
        {
            if (process.HasExited)
                return false;
            Thread.Sleep(1);
        }

        db.Execute("CLIENT", "PAUSE", "3000", "WRITE");
        return true;
    }
}
