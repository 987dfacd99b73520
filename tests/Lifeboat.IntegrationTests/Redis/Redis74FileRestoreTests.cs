using Lifeboat.Redis.ServerRestore;

namespace Lifeboat.IntegrationTests.Redis;

/// <summary>
/// The RDB 12 file a Redis 7.4.1 wrote (hashes with field expiry times beside plain keys) restored into Debian's 7.0,
/// which has no field expiry: refused before anything is written, unless the chosen keys leave those hashes out.
/// </summary>
public sealed class Redis74FileRestoreTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task A_hash_with_field_expiry_times_is_refused_by_a_server_without_them_naming_the_key_and_nothing_is_written()
    {
        await using var target = await RedisTestServer.StartAsync();
        await using var admin = await RedisTestServer.AdminAsync(target);
        var restoreTarget = await RedisTestServer.TargetAsync(target);

        var e = await Assert.ThrowsAsync<LifeboatException>(() => RdbServerRestore.RunAsync(
            RedisTestServer.Opener(TestFiles.HashFieldExpiry74), "the 7.4 file", restoreTarget, new ServerRestoreOptions(), SilentReporter.Instance, Ct));

        Assert.Matches(
            @"^key 'hfe:[a-z-]+' \(database 0\) of the 7\.4 file is a hash with field expiry times \(HEXPIRE and the like\) in an encoding of RDB 12, which .+ \(Redis 7\.[0-3]\.\d+, RDB 1[01]\) cannot read$",
            e.Message);
        Assert.Equal(
            "nothing was written; restore into a Redis 7.4 or newer, or leave such hashes out where their names or database set them apart",
            e.Hint);
        Assert.Equal(RemedyAction.ChooseOtherKeysOrRestoreToFile, e.Remedy?.Action);
        Assert.Empty(await RedisTestServer.KeyCountsAsync(admin));
        await restoreTarget.Connection.DisposeAsync();
    }

    [Fact]
    public async Task The_other_keys_chosen_by_a_glob_restore_with_the_digest_and_expiry_the_7_4_server_gave()
    {
        await using var target = await RedisTestServer.StartAsync();
        await using var admin = await RedisTestServer.AdminAsync(target);
        var restoreTarget = await RedisTestServer.TargetAsync(target);

        var result = await RdbServerRestore.RunAsync(
            RedisTestServer.Opener(TestFiles.HashFieldExpiry74), "the 7.4 file", restoreTarget, new ServerRestoreOptions { KeyPattern = "[hs][at][sr]*:*" }, SilentReporter.Instance, Ct);

        var chosen = TestFiles.ExpectedKeys74().Where(k => !k.Key.StartsWith("hfe:", StringComparison.Ordinal) && k.Db == 0).ToList();
        Assert.Equal(["hash:big", "hash:small", "str:plain"], chosen.Select(k => k.Key));
        foreach (var key in chosen)
        {
            var db = admin.GetDatabase(key.Db);
            var digest = (string[])(await db.ExecuteAsync("DEBUG", "DIGEST-VALUE", key.Key))!;
            Assert.True(key.Digest == digest[0], $"{key.Key}: digest {digest[0]}, the 7.4 server gave {key.Digest}");
            Assert.Equal(key.ExpireAtMs, (long)await db.ExecuteAsync("PEXPIRETIME", key.Key));
        }

        Assert.Equal(new Dictionary<int, long> { [0] = 3 }, await RedisTestServer.KeyCountsAsync(admin));
        Assert.Equal(3, result.Databases.Single(d => d.Db == 0).Restored);
        await restoreTarget.Connection.DisposeAsync();
    }
}
