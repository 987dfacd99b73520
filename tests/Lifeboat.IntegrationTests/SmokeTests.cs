namespace Lifeboat.IntegrationTests;

public class SmokeTests
{
    [Fact]
    public void Failure_kinds_map_to_documented_exit_codes()
    {
        Assert.Equal(2, (int)FailureKind.Usage);
    }
}
