namespace Lifeboat.Tests.Scripts;

/// <summary>
/// scripts/demo.sh --build-only: it publishes the executable when a source file is newer (showing dotnet's
/// output as it goes) and reuses it otherwise. A stand-in dotnet on PATH takes the publish's place.
/// </summary>
public sealed class DemoScriptTests : IDisposable
{
    private readonly DirectoryInfo _scratch = Directory.CreateTempSubdirectory("lifeboat-demo-test-");

    private string BinDir => Path.Combine(_scratch.FullName, "bin");

    private string Executable => Path.Combine(BinDir, "lifeboat");

    private string PublishLog => Path.Combine(_scratch.FullName, "publish.log");

    [Fact]
    public async Task Without_an_executable_it_publishes_one_and_shows_dotnet_s_output_as_it_goes()
    {
        var run = await RunAsync();

        Assert.True(run.ExitCode == 0, run.Output + run.Errors);
        Assert.Contains($"Building lifeboat, because there is no {Executable} yet", run.Output, StringComparison.Ordinal);
        Assert.Contains($"    Lifeboat.Cli -> {Executable}", run.Output, StringComparison.Ordinal);
        Assert.Contains("publish src/Lifeboat.Cli", File.ReadAllText(PublishLog), StringComparison.Ordinal);
        Assert.True(File.Exists(Executable));
    }

    [Fact]
    public async Task An_executable_newer_than_every_source_file_is_reused_without_running_dotnet()
    {
        WriteExecutable(DateTime.UtcNow.AddDays(1));

        var run = await RunAsync();

        Assert.True(run.ExitCode == 0, run.Output + run.Errors);
        Assert.Contains($"Reusing {Executable}: no source file is newer than it", run.Output, StringComparison.Ordinal);
        Assert.False(File.Exists(PublishLog), "dotnet ran although the executable was up to date");
    }

    [Fact]
    public async Task An_executable_older_than_a_source_file_is_published_again_and_the_newer_file_is_named()
    {
        WriteExecutable(new DateTime(2000, 1, 1, 0, 0, 0, DateTimeKind.Utc));

        var run = await RunAsync();

        Assert.True(run.ExitCode == 0, run.Output + run.Errors);
        Assert.Matches($@"Building lifeboat, because src/\S+ is newer than {System.Text.RegularExpressions.Regex.Escape(Executable)}", run.Output);
        Assert.True(File.Exists(PublishLog), "dotnet did not run although a source file is newer than the executable");
    }

    public void Dispose() => _scratch.Delete(recursive: true);

    private void WriteExecutable(DateTime lastWrite)
    {
        Directory.CreateDirectory(BinDir);
        File.WriteAllText(Executable, "#!/bin/sh\n");
        File.SetUnixFileMode(Executable, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        File.SetLastWriteTimeUtc(Executable, lastWrite);
    }

    // The stand-in records its arguments, prints a line as dotnet publish does, and writes the executable.
    private Task<ScriptRun> RunAsync()
    {
        var tools = Directory.CreateDirectory(Path.Combine(_scratch.FullName, "tools")).FullName;
        var dotnet = Path.Combine(tools, "dotnet");
        File.WriteAllText(dotnet, $"""
            #!/bin/sh
            echo "$*" >> '{PublishLog}'
            mkdir -p '{BinDir}'
            printf '#!/bin/sh\n' > '{Executable}'
            chmod +x '{Executable}'
            echo "Lifeboat.Cli -> {Executable}"
            """);
        File.SetUnixFileMode(dotnet, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        var environment = new Dictionary<string, string>
        {
            ["LIFEBOAT_DEMO_BIN_DIR"] = BinDir,
            ["PATH"] = $"{tools}:{Environment.GetEnvironmentVariable("PATH")}",
        };
        return ScriptRun.RunAsync("demo.sh", environment, "--build-only");
    }
}
