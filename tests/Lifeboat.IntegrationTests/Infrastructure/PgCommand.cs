using System.Diagnostics;

namespace Lifeboat.IntegrationTests.Infrastructure;

/// <summary>PostgreSQL's own tools run against the test server, for tests that compare Lifeboat with them.</summary>
public static class PgCommand
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    /// <summary>Connection options for <paramref name="database"/>, then <paramref name="more"/>.</summary>
    public static List<string> Connection(string database, params string[] more) =>
        ["--host", TestEnvironment.PgHost, "--port", TestEnvironment.PgPort.ToString(System.Globalization.CultureInfo.InvariantCulture),
         "--username", TestEnvironment.PgUser, "--no-password", "--dbname", database, .. more];

    /// <summary>Runs a tool to its end and fails the test, with its output, when it fails.</summary>
    public static async Task RunAsync(string tool, List<string> arguments)
    {
        using var process = Start(tool, arguments);
        var output = await process.StandardOutput.ReadToEndAsync(Ct);
        await process.WaitForExitAsync(Ct);
        Assert.True(process.ExitCode == 0, $"{tool} failed: {output} {await process.StandardError.ReadToEndAsync(Ct)}");
    }

    /// <summary>Starts a tool with the test server's password in its environment.</summary>
    public static Process Start(string tool, List<string> arguments)
    {
        var info = new ProcessStartInfo(tool) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var argument in arguments)
            info.ArgumentList.Add(argument);
        info.Environment["PGPASSWORD"] = TestEnvironment.PgPassword;
        return Process.Start(info)!;
    }

    /// <summary>What pg_dump --format=custom --compress=0 writes to a pipe, as Lifeboat stores it.</summary>
    public static async Task<byte[]> DumpAsync(string database, params string[] more)
    {
        using var process = Start("pg_dump", Connection(database, ["--format=custom", "--compress=0", .. more]));
        using var bytes = new MemoryStream();
        await process.StandardOutput.BaseStream.CopyToAsync(bytes, Ct);
        await process.WaitForExitAsync(Ct);
        Assert.Equal(0, process.ExitCode);
        return bytes.ToArray();
    }
}
