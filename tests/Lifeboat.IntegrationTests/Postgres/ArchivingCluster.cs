using System.Diagnostics;
using Lifeboat.IntegrationTests.Infrastructure;
using Lifeboat.TestKit.Configuration;
using Lifeboat.TestKit.Servers;

namespace Lifeboat.IntegrationTests.Postgres;

/// <summary>A private cluster archiving through lifeboat as on a database host, and the waits and checks the archiving tests share.</summary>
internal static class ArchivingCluster
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    internal static Task<string?> ChecksumAsync(PrivatePostgres cluster) =>
        cluster.QueryValueAsync("SELECT md5(string_agg(id::text || ':' || v, ',' ORDER BY id)) FROM t", Ct);


    /// <summary>
    /// Starts the cluster archiving through lifeboat, with the repository and configuration in a directory its OS user
    /// owns, as on a database host. The configuration names the server's port, known once it runs.
    /// </summary>
    internal static async Task<string> StartArchivingAsync(PrivatePostgres cluster, string pushOptions = "")
    {
        var work = await cluster.CreateServerDirectoryAsync("lifeboat", Ct);
        var configPath = Path.Combine(work, "lifeboat.yaml");
        var options = pushOptions.Replace("{work}", work, StringComparison.Ordinal);
        await cluster.Set("archive_mode", "on").Set("archive_command", $"'{Infrastructure.Cli.Executable}' --config '{configPath}' --quiet wal-push {options} %p").StartAsync(Ct);
        return await WriteConfigAsync(cluster, work);
    }

    internal const string PasswordVariable = "LIFEBOAT_TEST_PRIVATE_PG_PASSWORD";

    internal static readonly Dictionary<string, string?> Password = new() { [PasswordVariable] = PrivatePostgres.Password };

    /// <summary>The configuration and an initialised repository in <paramref name="work"/>, all owned by the server's OS user.</summary>
    internal static async Task<string> WriteConfigAsync(PrivatePostgres cluster, string work)
    {
        var config = new LifeboatConfigBuilder()
            .RepositoryUrl(Path.Combine(work, "repo"))
            .KeyFile(Path.Combine(work, "repo.key"))
            .Postgres(new PostgresSourceConfig { Name = "app", Host = cluster.Host, Port = cluster.Port, Database = "postgres", User = PrivatePostgres.Superuser, PasswordEnv = PasswordVariable })
            .WriteTo(Path.Combine(work, "lifeboat.yaml"));
        var init = await Infrastructure.Cli.RunAsync("--config", config, "init");
        Assert.True(init.ExitCode == 0, $"{init.ExitCode}: {init.Stderr}{init.Stdout}");
        await GiveToServerUserAsync(work);
        return config;
    }

    /// <summary>Runs lifeboat as the server's OS user (through runuser when the tests run as root), with the password variable set.</summary>
    internal static async Task<Infrastructure.Cli.Result> AsServerUserAsync(params string[] arguments)
    {
        var start = Environment.IsPrivilegedProcess
            ? new ProcessStartInfo("runuser") { ArgumentList = { "-u", "postgres", "--", Infrastructure.Cli.Executable } }
            : new ProcessStartInfo(Infrastructure.Cli.Executable);
        foreach (var argument in arguments)
            start.ArgumentList.Add(argument);
        start.RedirectStandardOutput = true;
        start.RedirectStandardError = true;
        start.WorkingDirectory = "/";
        start.Environment["CI"] = "true";
        start.Environment[PasswordVariable] = PrivatePostgres.Password;
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync(Ct);
        var stderr = process.StandardError.ReadToEndAsync(Ct);
        await process.WaitForExitAsync(Ct);
        return new Infrastructure.Cli.Result(process.ExitCode, await stdout, await stderr);
    }

    internal static async Task GiveToServerUserAsync(string path)
    {
        if (!Environment.IsPrivilegedProcess)
            return; // the tests and the server already run as one user
        using var chown = Process.Start("chown", ["-R", "postgres", path])!;
        await chown.WaitForExitAsync(Ct);
        Assert.Equal(0, chown.ExitCode);
    }

    // The pusher holds an exclusive flock on its lock file while it runs; taking it shows that it has gone.
    internal static bool PusherHoldsLock(string spool)
    {
        try
        {
            using var probe = new FileStream(Path.Combine(spool, "pusher.lock"), FileMode.Open, FileAccess.ReadWrite, FileShare.None);
            return false;
        }
        catch (IOException)
        {
            return true;
        }
    }

    internal static async Task WaitUntilAsync(Func<bool> condition, TimeSpan limit)
    {
        var deadline = DateTime.UtcNow + limit;
        while (!condition() && DateTime.UtcNow < deadline)
            await Task.Delay(100, Ct);
        Assert.True(condition(), $"still not so after {limit.TotalSeconds} s");
    }

    internal static async Task WaitUntilArchivedAsync(PrivatePostgres cluster, string segment)
    {
        for (var i = 0; i < 300; i++)
        {
            var last = await cluster.QueryValueAsync("SELECT coalesce(last_archived_wal, '') FROM pg_stat_archiver", Ct);
            if (string.CompareOrdinal(last, segment) >= 0)
                return;
            await Task.Delay(100, Ct);
        }

        Assert.Fail($"segment {segment} was not archived: {await cluster.QueryValueAsync("SELECT row_to_json(a)::text FROM pg_stat_archiver a", Ct)}");
    }
}
