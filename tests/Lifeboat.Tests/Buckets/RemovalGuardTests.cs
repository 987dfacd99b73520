using Lifeboat.Buckets.Mirror;

namespace Lifeboat.Tests.Buckets;

/// <summary>What keeps a mirror's removals from emptying its target (mc#4047): a share per run, and never for a source that lists nothing.</summary>
public sealed class RemovalGuardTests
{
    private const string From = "s3://src/ at http://a";
    private const string Into = "s3://dst/ at http://b";

    [Theory]
    [InlineData(90, 100, 10, 10)]
    [InlineData(1, 1, 0, 0)]
    [InlineData(50, 100, 50, 100)]
    [InlineData(0, 0, 0, 10)]
    public void Removals_within_the_share_go_ahead(long source, long target, long removals, int limit)
    {
        Assert.Null(RemovalGuard.Refusal(source, target, removals, limit, force: false, From, Into));
    }

    [Fact]
    public void Removals_beyond_the_share_are_refused_with_the_counts_and_a_remedy()
    {
        var error = RemovalGuard.Refusal(89, 100, 11, 10, force: false, From, Into);

        Assert.NotNull(error);

        Assert.Equal("mirroring s3://src/ at http://a would remove 11 of the 100 objects in s3://dst/ at http://b (11 %), more than the 10 % one run may remove", error.Message);
        Assert.Equal("check that the source lists what it should; nothing was removed", error.Hint);
        Assert.Equal(FailureKind.Usage, error.Kind);
        Assert.Equal(RemedyAction.AllowMirrorRemovals, error.Remedy?.Action);
    }

    [Fact]
    public void A_limit_of_zero_refuses_any_removal()
    {
        Assert.NotNull(RemovalGuard.Refusal(1_000_000, 1_000_000, 1, 0, force: false, From, Into));
    }

    [Fact]
    public void A_source_that_lists_nothing_never_empties_its_mirror_whatever_the_limit()
    {
        var error = RemovalGuard.Refusal(0, 3, 3, 100, force: false, From, Into);

        Assert.NotNull(error);
        Assert.Equal("s3://src/ at http://a lists no objects, so mirroring it with removals would empty s3://dst/ at http://b (3 objects)", error.Message);
        Assert.Equal(RemedyAction.AllowMirrorRemovals, error.Remedy?.Action);
    }

    [Theory]
    [InlineData(0, 3, 3)]
    [InlineData(10, 100, 90)]
    public void Forced_removals_go_ahead(long source, long target, long removals)
    {
        Assert.Null(RemovalGuard.Refusal(source, target, removals, 10, force: true, From, Into));
    }
}
