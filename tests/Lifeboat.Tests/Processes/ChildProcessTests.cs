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
    public async Task The_error_message_names_the_toc_entry_and_the_statement_not_the_statements_body()
    {
        const string script = """
            echo "sh: processing item 227 TABLE models" >&2
            echo "sh: while PROCESSING TOC:" >&2
            echo "sh: from TOC entry 227; 1259 50491 TABLE models devuser" >&2
            echo "sh: error: could not execute query: ERROR:  relation \"models\" already exists" >&2
            echo "Command was: CREATE TABLE public.models (" >&2
            echo "    id bigint NOT NULL," >&2
            echo "    name text" >&2
            echo ");" >&2
            exit 1
            """;
        await using var child = ChildProcess.Start("/bin/sh", ["-c", script], NoEnvironment);

        Assert.Equal(1, await child.WaitAsync(TestContext.Current.CancellationToken));
        Assert.Equal(
            "sh: from TOC entry 227; 1259 50491 TABLE models devuser | sh: error: could not execute query: ERROR:  relation \"models\" already exists | Command was: CREATE TABLE public.models (",
            child.LastError());
    }

    [Fact]
    public async Task Output_of_a_tool_without_that_prefix_is_shown_as_its_last_lines()
    {
        await using var child = ChildProcess.Start("/bin/sh", ["-c", "echo one >&2; echo two >&2; exit 3"], NoEnvironment);

        Assert.Equal(3, await child.WaitAsync(TestContext.Current.CancellationToken));
        Assert.Equal("one | two", child.LastError());
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
