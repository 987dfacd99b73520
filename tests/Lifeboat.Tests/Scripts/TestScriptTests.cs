namespace Lifeboat.Tests.Scripts;

public sealed class TestScriptTests
{
    [Theory]
    [InlineData("--filter", "")]
    [InlineData("--filter=")]
    public async Task An_empty_filter_is_a_usage_error_not_a_run_of_every_test(params string[] arguments)
    {
        var run = await ScriptRun.RunAsync("test.sh", arguments);

        Assert.Equal(2, run.ExitCode);
        Assert.Contains("--filter needs an expression", run.Errors, StringComparison.Ordinal);
    }
}
