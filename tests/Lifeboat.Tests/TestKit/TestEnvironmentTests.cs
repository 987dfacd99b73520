namespace Lifeboat.Tests.TestKit;

public sealed class TestEnvironmentTests
{
    [Fact]
    public void A_missing_required_variable_fails_naming_it_and_how_to_start_the_test_servers()
    {
        var error = Assert.Throws<InvalidOperationException>(() => TestEnvironment.Get("LIFEBOAT_TEST_NEVER_SET_" + Guid.NewGuid().ToString("N")));

        Assert.StartsWith("LIFEBOAT_TEST_NEVER_SET_", error.Message, StringComparison.Ordinal);
        Assert.Contains("scripts/devstack.sh start", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void An_optional_variable_that_is_unset_reads_as_null()
    {
        Assert.Null(TestEnvironment.Optional("LIFEBOAT_TEST_NEVER_SET_" + Guid.NewGuid().ToString("N")));
    }
}
