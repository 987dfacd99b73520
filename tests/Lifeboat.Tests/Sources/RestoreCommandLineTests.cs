using System.Diagnostics;
using System.Text;
using Lifeboat.Cli.Sources.Postgres;

namespace Lifeboat.Tests.Sources;

/// <summary>restore_command survives PostgreSQL's %-expansion and then the shell, whatever the configuration's path holds.</summary>
public sealed class RestoreCommandLineTests
{
    private const string OddConfig = "/srv/it's 100%f done/lifeboat.yaml";

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public void Each_word_is_single_quoted_with_its_quotes_spelled_for_the_shell_and_its_percent_signs_doubled()
    {
        var line = RestoreCommandLine.Build(["/usr/local/bin/lifeboat"], OddConfig, "app");

        Assert.Equal("'/usr/local/bin/lifeboat' '--config' '/srv/it'\"'\"'s 100%%f done/lifeboat.yaml' '--quiet' 'wal-fetch' '--name' 'app' %f %p", line);
    }

    [Fact]
    public async Task The_server_runs_the_program_with_each_word_intact_and_only_the_placeholders_expanded()
    {
        // printf prints each argument on a line of its own, so the words the program gets can be compared one by one.
        var line = RestoreCommandLine.Build(["printf", "%s\\n"], OddConfig, "app");

        var words = await RunAsServerWouldAsync(line, file: "000000010000000000000003", path: "pg_wal/RECOVERYXLOG");

        Assert.Equal(["--config", OddConfig, "--quiet", "wal-fetch", "--name", "app", "000000010000000000000003", "pg_wal/RECOVERYXLOG"], words);
    }

    [Fact]
    public void Run_by_the_dotnet_host_the_command_names_the_assembly_after_it()
    {
        Assert.Equal(["/usr/share/dotnet/dotnet", "/opt/lifeboat/lifeboat.dll"], RestoreCommandLine.Program("/usr/share/dotnet/dotnet", "/opt/lifeboat/lifeboat.dll"));
        Assert.Equal(["/usr/local/bin/lifeboat"], RestoreCommandLine.Program("/usr/local/bin/lifeboat", "/usr/local/bin/lifeboat.dll"));
    }

    /// <summary>What PostgreSQL 15 does with restore_command (BuildRestoreCommand): %f, %p and %% replaced, then sh -c.</summary>
    private static async Task<string[]> RunAsServerWouldAsync(string command, string file, string path)
    {
        var expanded = new StringBuilder();
        for (var i = 0; i < command.Length; i++)
        {
            if (command[i] != '%' || i + 1 == command.Length)
            {
                expanded.Append(command[i]);
                continue;
            }

            i++;
            expanded.Append(command[i] switch { 'f' => file, 'p' => path, '%' => "%", var other => "%" + other });
        }

        var start = new ProcessStartInfo("/bin/sh") { ArgumentList = { "-c", expanded.ToString() }, RedirectStandardOutput = true };
        using var process = Process.Start(start)!;
        var output = await process.StandardOutput.ReadToEndAsync(Ct);
        await process.WaitForExitAsync(Ct);
        Assert.Equal(0, process.ExitCode);
        return output.Split('\n', StringSplitOptions.RemoveEmptyEntries);
    }
}
