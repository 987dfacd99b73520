using Lifeboat.Tests.Architecture;

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

    [Fact]
    public async Task A_source_file_removed_after_the_build_is_noticed_by_its_directory_and_the_executable_published_again()
    {
        var tree = SourceTreeCopy();
        var gone = Path.Combine(tree, "src", "Lifeboat", "Gone.cs");
        WriteExecutable(new DateTime(2010, 1, 1, 0, 0, 0, DateTimeKind.Utc));
        var reused = await RunAsync(tree);

        File.Delete(gone);
        var rebuilt = await RunAsync(tree);

        Assert.True(reused.ExitCode == 0, reused.Output + reused.Errors);
        Assert.Contains("no source file is newer than it", reused.Output, StringComparison.Ordinal);
        Assert.True(rebuilt.ExitCode == 0, rebuilt.Output + rebuilt.Errors);
        Assert.Contains($"Building lifeboat, because a file in src/Lifeboat was added, removed or renamed after {Executable} was built", rebuilt.Output, StringComparison.Ordinal);
        Assert.True(File.Exists(PublishLog), "dotnet did not run although a source file was removed");
    }

    [Fact]
    public async Task Ctrl_c_during_the_build_stops_dotnet_the_progress_lines_and_the_script()
    {
        var tree = SourceTreeCopy();
        var started = Path.Combine(_scratch.FullName, "dotnet.started");
        // The stand-in builds for a minute, after saying which process group a Ctrl-C at the terminal would reach.
        // At a terminal SIGINT has its default action; a test run started in the background inherits it ignored,
        // so env(1) gives the script the terminal's dispositions back.
        var tools = StandIn($"""
            #!/bin/sh
            echo "$$ $(cut -d' ' -f5 /proc/$$/stat)" > '{started}'
            exec sleep 60
            """);
        var info = new System.Diagnostics.ProcessStartInfo("setsid", ["env", "--default-signal=INT,QUIT,TERM", "bash", Path.Combine("scripts", "demo.sh"), "--build-only"])
        {
            WorkingDirectory = tree,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        info.Environment["LIFEBOAT_DEMO_BIN_DIR"] = BinDir;
        info.Environment["PATH"] = $"{tools}:{Environment.GetEnvironmentVariable("PATH")}";
        using var script = System.Diagnostics.Process.Start(info)!;
        var output = script.StandardOutput.ReadToEndAsync(TestContext.Current.CancellationToken);
        var group = 0;
        try
        {
            await WaitForAsync(() => File.Exists(started) && File.ReadAllText(started).EndsWith('\n'), "the stand-in dotnet to start");
            group = int.Parse(File.ReadAllText(started).Split(' ')[1], System.Globalization.CultureInfo.InvariantCulture);

            Signal("INT", group);

            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(15));
            await script.WaitForExitAsync(timeout.Token);
            await WaitForAsync(() => ProcessesIn(group).Count == 0, "every process of the script's group to end");
            Assert.NotEqual(0, script.ExitCode);
            Assert.Contains("Building lifeboat", await output, StringComparison.Ordinal);
        }
        finally
        {
            if (group > 0 && ProcessesIn(group).Count > 0)
                Signal("KILL", group);
        }
    }

    public void Dispose() => _scratch.Delete(recursive: true);

    // scripts/demo.sh and two source files, everything dated 2000 but what a test changes afterwards.
    private string SourceTreeCopy()
    {
        var root = Directory.CreateDirectory(Path.Combine(_scratch.FullName, "tree")).FullName;
        var scripts = Directory.CreateDirectory(Path.Combine(root, "scripts")).FullName;
        File.Copy(Path.Combine(SourceTree.Root, "scripts", "demo.sh"), Path.Combine(scripts, "demo.sh"));
        var library = Directory.CreateDirectory(Path.Combine(root, "src", "Lifeboat")).FullName;
        File.WriteAllText(Path.Combine(library, "Kept.cs"), "// kept\n");
        File.WriteAllText(Path.Combine(library, "Gone.cs"), "// removed by a test\n");
        var old = new DateTime(2000, 1, 1, 0, 0, 0, DateTimeKind.Utc);
        foreach (var entry in Directory.EnumerateFileSystemEntries(root, "*", SearchOption.AllDirectories).Append(root))
        {
            if (Directory.Exists(entry))
                Directory.SetLastWriteTimeUtc(entry, old);
            else
                File.SetLastWriteTimeUtc(entry, old);
        }

        return root;
    }

    private static void Signal(string signal, int group)
    {
        using var kill = System.Diagnostics.Process.Start("kill", [$"-{signal}", "--", $"-{group}"]);
        kill.WaitForExit();
    }

    // The processes whose process group is <paramref name="group"/>, from /proc (field 5 of stat, after the command's parentheses).
    private static List<int> ProcessesIn(int group)
    {
        var found = new List<int>();
        foreach (var directory in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(directory), out var pid))
                continue;
            try
            {
                var stat = File.ReadAllText(Path.Combine(directory, "stat"));
                var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
                if (fields[0] != "Z" && fields[2] == group.ToString(System.Globalization.CultureInfo.InvariantCulture))
                    found.Add(pid);
            }
            catch (IOException)
            {
                // Gone while being read.
            }
        }

        return found;
    }

    private static async Task WaitForAsync(Func<bool> condition, string what)
    {
        for (var waited = 0; waited < 200; waited++)
        {
            if (condition())
                return;
            await Task.Delay(100, TestContext.Current.CancellationToken);
        }

        Assert.Fail($"gave up waiting for {what}");
    }

    private void WriteExecutable(DateTime lastWrite)
    {
        Directory.CreateDirectory(BinDir);
        File.WriteAllText(Executable, "#!/bin/sh\n");
        File.SetUnixFileMode(Executable, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        File.SetLastWriteTimeUtc(Executable, lastWrite);
    }

    // The stand-in records its arguments, prints a line as dotnet publish does, and writes the executable.
    private Task<ScriptRun> RunAsync(string? root = null)
    {
        var tools = StandIn($"""
            #!/bin/sh
            echo "$*" >> '{PublishLog}'
            mkdir -p '{BinDir}'
            printf '#!/bin/sh\n' > '{Executable}'
            chmod +x '{Executable}'
            echo "Lifeboat.Cli -> {Executable}"
            """);
        var environment = new Dictionary<string, string>
        {
            ["LIFEBOAT_DEMO_BIN_DIR"] = BinDir,
            ["PATH"] = $"{tools}:{Environment.GetEnvironmentVariable("PATH")}",
        };
        return ScriptRun.RunInAsync(root ?? SourceTree.Root, "demo.sh", environment, "--build-only");
    }

    // A dotnet on a directory of its own, to put first on PATH; returns that directory.
    private string StandIn(string script)
    {
        var tools = Directory.CreateDirectory(Path.Combine(_scratch.FullName, "tools")).FullName;
        var dotnet = Path.Combine(tools, "dotnet");
        File.WriteAllText(dotnet, script);
        File.SetUnixFileMode(dotnet, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        return tools;
    }
}
