using Lifeboat.Redis.ServerRestore;

namespace Lifeboat.Tests.Redis;

/// <summary>
/// A restore into a running Redis sends RESTORE … ABSTTL (with IDLETIME or FREQ), which Redis has since 5.0: an older
/// target is refused by its version before anything is written. (No Redis before 5.0 runs here; the decision is tested alone.)
/// </summary>
public sealed class RestoreTargetVersionTests
{
    [Theory]
    [InlineData("4.0.14", 8)]
    [InlineData("3.2.12", 7)]
    [InlineData("2.8.24", 6)]
    public void A_target_older_than_Redis_5_is_refused_naming_its_version(string version, int rdbVersion)
    {
        Assert.Equal(rdbVersion, RedisRdbVersion.Of(version));

        var e = Assert.Throws<LifeboatException>(() => TargetServer.RefuseTooOld("the Redis at h:6379", version, rdbVersion));

        Assert.Equal($"the Redis at h:6379 runs Redis {version} (RDB {rdbVersion}), older than 5.0: its RESTORE takes no ABSTTL, IDLETIME or FREQ, which the restore sends", e.Message);
        Assert.Equal("nothing was written; restore into Redis 5.0 or newer", e.Hint);
        Assert.Equal(FailureKind.Usage, e.Kind);
    }

    [Theory]
    [InlineData("5.0.0")]
    [InlineData("6.2.14")]
    [InlineData("7.0.15")]
    [InlineData("7.4.1")]
    public void Redis_5_and_newer_are_taken(string version) =>
        TargetServer.RefuseTooOld("the Redis at h:6379", version, RedisRdbVersion.Of(version)!.Value);
}
