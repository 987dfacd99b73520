namespace Lifeboat.Tests.Scripts;

/// <summary>scripts/test-summary.sh, the verdict of scripts/test.sh, on results and output written here.</summary>
public sealed class TestSummaryTests : IDisposable
{
    private const string NoMatchLine = "No test matches the given testcase filter `FullyQualifiedName~Nothing` in /x/Lifeboat.Tests.dll";

    private readonly string _results = Directory.CreateTempSubdirectory("lifeboat-test-summary-").FullName;

    private string Log => Path.Combine(_results, "dotnet-test.log");

    public void Dispose() => Directory.Delete(_results, recursive: true);

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task A_filter_that_selects_no_test_is_reported_as_such_and_fails(bool emptyResultsFileWritten)
    {
        File.WriteAllText(Log, NoMatchLine + "\n");
        if (emptyResultsFileWritten)
            WriteResults("empty.trx", passed: 0, failed: 0);

        var run = await SummarizeAsync("--exit-code", "0", "--filter", "FullyQualifiedName~Nothing");

        Assert.Equal(1, run.ExitCode);
        Assert.Contains("--filter 'FullyQualifiedName~Nothing' selects no test", run.Errors, StringComparison.Ordinal);
        Assert.DoesNotContain("build", run.Errors, StringComparison.Ordinal);
        Assert.Equal("0 passed, 1 failed, 0 skipped", run.LastLine);
    }

    [Fact]
    public async Task A_run_that_wrote_no_results_and_failed_is_reported_as_a_failed_build_and_fails()
    {
        File.WriteAllText(Log, "Program.cs(3,1): error CS1002: ; expected\n");

        var run = await SummarizeAsync("--exit-code", "1", "--filter", "FullyQualifiedName~Backup");

        Assert.Equal(1, run.ExitCode);
        Assert.Contains("the build probably failed", run.Errors, StringComparison.Ordinal);
        Assert.DoesNotContain("selects no test", run.Errors, StringComparison.Ordinal);
        Assert.Equal("0 passed, 1 failed, 0 skipped", run.LastLine);
    }

    [Fact]
    public async Task The_closing_line_adds_up_the_results_of_every_project()
    {
        File.WriteAllText(Log, "");
        WriteResults("unit.trx", passed: 3, failed: 1);
        WriteResults("integration.trx", passed: 2, failed: 0, skippedTest: "Some_test");

        var run = await SummarizeAsync("--exit-code", "1");

        Assert.Equal("5 passed, 1 failed, 1 skipped", run.LastLine);
    }

    [Fact]
    public async Task A_skipped_test_fails_a_run_in_which_nothing_failed()
    {
        File.WriteAllText(Log, "");
        WriteResults("integration.trx", passed: 2, failed: 0, skippedTest: "Some_test");

        var run = await SummarizeAsync("--exit-code", "0");

        Assert.Equal(1, run.ExitCode);
        Assert.Contains("Some_test", run.Errors, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_run_in_which_every_test_passed_succeeds()
    {
        File.WriteAllText(Log, "");
        WriteResults("unit.trx", passed: 4, failed: 0);

        var run = await SummarizeAsync("--exit-code", "0");

        Assert.Equal(0, run.ExitCode);
        Assert.Equal("4 passed, 0 failed, 0 skipped", run.LastLine);
    }

    [Fact]
    public async Task A_failed_format_check_counts_as_one_failed_test()
    {
        File.WriteAllText(Log, "");
        WriteResults("unit.trx", passed: 4, failed: 0);

        var run = await SummarizeAsync("--exit-code", "0", "--format-failed");

        Assert.Equal(1, run.ExitCode);
        Assert.Equal("4 passed, 1 failed, 0 skipped", run.LastLine);
    }

    [Fact]
    public async Task Each_failed_test_is_named_with_its_message_just_before_the_closing_line()
    {
        File.WriteAllText(Log, "");
        WriteResults("unit.trx", passed: 3, failed: 0);
        File.WriteAllText(Path.Combine(_results, "integration.trx"), """
            <TestRun>
              <Results>
                <UnitTestResult executionId="1" testName="Redis.Tests.A_stall(size: &quot;&lt;4 KiB&gt;&quot;)" duration="00:00:00.1" outcome="Failed">
                  <Output>
                    <ErrorInfo>
                      <Message>Assert.False() Failure
            Expected: False &amp; quiet
            Actual:   True</Message>
                      <StackTrace>   at Redis.Tests.A_stall() in /x/Tests.cs:line 4</StackTrace>
                    </ErrorInfo>
                  </Output>
                </UnitTestResult>
                <UnitTestResult executionId="2" testName="Redis.Tests.Passes" outcome="Passed" />
              </Results>
              <ResultSummary outcome="Failed">
                <Counters total="2" executed="2" passed="1" failed="1" error="0" timeout="0" aborted="0" inconclusive="0" />
              </ResultSummary>
            </TestRun>
            """);

        var run = await SummarizeAsync("--exit-code", "1");

        var tail = run.Output.TrimEnd().Split('\n')[^6..];
        Assert.Equal(
            [
                "failed tests (1):",
                """  FAILED Redis.Tests.A_stall(size: "<4 KiB>")""",
                "    Assert.False() Failure",
                "    Expected: False & quiet",
                "    Actual:   True",
                "4 passed, 1 failed, 0 skipped",
            ],
            tail);
    }

    [Fact]
    public async Task A_timed_out_test_is_listed_and_a_failed_result_without_a_message_takes_none_from_the_next()
    {
        File.WriteAllText(Log, "");
        File.WriteAllText(Path.Combine(_results, "integration.trx"), """
            <TestRun>
              <Results>
                <UnitTestResult testName="A.Crashed" outcome="Failed" />
                <UnitTestResult testName="A.Passes" outcome="Passed">
                  <Output><StdOut>not a message</StdOut><ErrorInfo><Message>a passing test's output</Message></ErrorInfo></Output>
                </UnitTestResult>
                <UnitTestResult testName="A.Slow" outcome="Timeout">
                  <Output><ErrorInfo><Message>took too long</Message></ErrorInfo></Output>
                </UnitTestResult>
              </Results>
              <ResultSummary outcome="Failed">
                <Counters total="3" executed="3" passed="1" failed="1" error="0" timeout="1" aborted="0" inconclusive="0" />
              </ResultSummary>
            </TestRun>
            """);

        var run = await SummarizeAsync("--exit-code", "1");

        Assert.Equal(1, run.ExitCode);
        Assert.Equal(
            ["failed tests (2):", "  FAILED A.Crashed", "  FAILED A.Slow", "    took too long", "1 passed, 2 failed, 0 skipped"],
            run.Output.TrimEnd().Split('\n')[^5..]);
    }

    private Task<ScriptRun> SummarizeAsync(params string[] arguments) =>
        ScriptRun.RunAsync("test-summary.sh", ["--results", _results, "--log", Log, .. arguments]);

    // As much of a TRX file as the summary reads: the counters, and a result line per skipped test.
    private void WriteResults(string name, int passed, int failed, string? skippedTest = null)
    {
        var skipped = skippedTest is null ? "" : $"""<UnitTestResult testName="{skippedTest}" outcome="NotExecuted" />""";
        File.WriteAllText(Path.Combine(_results, name), $"""
            <TestRun>
              <Results>{skipped}</Results>
              <ResultSummary outcome="Completed">
                <Counters total="{passed + failed}" executed="{passed + failed}" passed="{passed}" failed="{failed}" error="0" timeout="0" aborted="0" inconclusive="0" />
              </ResultSummary>
            </TestRun>
            """);
    }
}
