using Lifeboat.Processes;

namespace Lifeboat.Tests.Processes;

public class ChildProcessTests
{
    private static readonly Dictionary<string, string?> NoEnvironment = [];

    [Fact]
    public async Task The_error_message_leaves_out_verbose_progress_lines_written_after_the_error()
    {
        const string script = """
            echo "sh: launching item 1 TABLE DATA a" >&2
            echo "sh: error: could not execute query: ERROR:  boom" >&2
            echo "Command was: COPY a FROM stdin;" >&2
            echo "sh: finished item 2 TABLE DATA b" >&2
            exit 1
            """;
        await using var child = ChildProcess.Start("/bin/sh", ["-c", script], NoEnvironment);

        Assert.Equal(1, await child.WaitAsync(TestContext.Current.CancellationToken));
        Assert.Equal("sh: error: could not execute query: ERROR:  boom | Command was: COPY a FROM stdin;", child.LastError());
    }

    [Fact]
    public async Task Every_stderr_line_reaches_the_observer_whole_however_the_pipe_splits_it()
    {
        var lines = new List<string>();
        const string script = """
            printf 'first line\nsecond ' >&2
            sleep 0.1
            printf 'half\nno newline at the end' >&2
            """;
        await using var child = ChildProcess.Start("/bin/sh", ["-c", script], NoEnvironment, stderrLine: lines.Add);

        Assert.Equal(0, await child.WaitAsync(TestContext.Current.CancellationToken));
        Assert.Equal(["first line", "second half", "no newline at the end"], lines);
    }
}
