using System.Buffers.Binary;
using Lifeboat.Redis.ServerRestore;
using StackExchange.Redis;

namespace Lifeboat.IntegrationTests.Redis;

/// <summary>What a restore into a running Redis refuses, each before it writes anything.</summary>
public sealed class ServerRestoreSafetyTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task A_target_holding_keys_is_refused_without_leave_and_nothing_is_written()
    {
        await using var target = await RedisTestServer.StartAsync();
        await using var admin = await RedisTestServer.AdminAsync(target);
        await admin.GetDatabase(1).StringSetAsync("already-here", "1");
        var restoreTarget = await RedisTestServer.TargetAsync(target);

        var e = await Assert.ThrowsAsync<LifeboatException>(() => RestoreAsync(restoreTarget, new ServerRestoreOptions()));

        Assert.Equal($"{restoreTarget.Name} is not empty: database 1 holds 1 keys", e.Message);
        Assert.Equal(FailureKind.Usage, e.Kind);
        Assert.Equal(new Dictionary<int, long> { [1] = 1 }, await RedisTestServer.KeyCountsAsync(admin));
        Assert.Empty(await RedisTestServer.LibrariesAsync(admin));
    }

    [Fact]
    public async Task Keys_in_databases_the_restore_does_not_write_do_not_make_the_target_refused()
    {
        await using var target = await RedisTestServer.StartAsync();
        await using var admin = await RedisTestServer.AdminAsync(target);
        await admin.GetDatabase(9).StringSetAsync("elsewhere", "1");
        var restoreTarget = await RedisTestServer.TargetAsync(target);

        var result = await RestoreAsync(restoreTarget, new ServerRestoreOptions());

        Assert.Equal(TestFiles.ExpectedKeys72().Count, result.KeysRestored);
        Assert.Equal("1", (string?)await admin.GetDatabase(9).StringGetAsync("elsewhere"));
    }

    [Fact]
    public async Task Existing_keys_are_refused_without_replace_even_with_leave_for_a_non_empty_target_and_nothing_is_written()
    {
        await using var target = await RedisTestServer.StartAsync();
        await using var admin = await RedisTestServer.AdminAsync(target);
        await admin.GetDatabase(0).StringSetAsync("str:short", "theirs");
        await admin.GetDatabase(0).StringSetAsync("unrelated", "1");
        var restoreTarget = await RedisTestServer.TargetAsync(target);

        var e = await Assert.ThrowsAsync<LifeboatException>(() => RestoreAsync(restoreTarget, new ServerRestoreOptions { AllowNonEmptyTarget = true }));

        Assert.Equal($"{restoreTarget.Name} already has 1 of the keys to restore, key 'str:short' in database 0 the first", e.Message);
        Assert.Equal(new Dictionary<int, long> { [0] = 2 }, await RedisTestServer.KeyCountsAsync(admin));
        Assert.Equal("theirs", (string?)await admin.GetDatabase(0).StringGetAsync("str:short"));
    }

    [Fact]
    public async Task With_leave_and_no_collisions_the_restore_adds_beside_the_keys_there()
    {
        await using var target = await RedisTestServer.StartAsync();
        await using var admin = await RedisTestServer.AdminAsync(target);
        await admin.GetDatabase(0).StringSetAsync("unrelated", "1");
        var restoreTarget = await RedisTestServer.TargetAsync(target);

        await RestoreAsync(restoreTarget, new ServerRestoreOptions { AllowNonEmptyTarget = true });

        Assert.Equal(TestFiles.ExpectedKeys72().Count(k => k.Db == 0) + 1, (long)await admin.GetDatabase(0).ExecuteAsync("DBSIZE"));
    }

    [Fact]
    public async Task With_replace_existing_keys_and_libraries_are_overwritten()
    {
        await using var target = await RedisTestServer.StartAsync();
        await using var admin = await RedisTestServer.AdminAsync(target);
        await admin.GetDatabase(0).StringSetAsync("str:short", "theirs");
        await admin.GetDatabase().ExecuteAsync("FUNCTION", "LOAD", $"#!lua name={AllTypesDataset.Library}\nredis.register_function('theirs', function() return 0 end)");
        var restoreTarget = await RedisTestServer.TargetAsync(target);

        await RestoreAsync(restoreTarget, new ServerRestoreOptions { AllowNonEmptyTarget = true, Replace = true });

        Assert.Equal("hello", (string?)await admin.GetDatabase(0).StringGetAsync("str:short"));
        Assert.Equal("hi", (string?)await admin.GetDatabase().ExecuteAsync("FCALL", "echo_one", 0, "hi"));
    }

    [Fact]
    public async Task An_existing_function_library_is_refused_without_replace_even_with_leave_for_a_non_empty_target_and_nothing_is_written()
    {
        await using var target = await RedisTestServer.StartAsync();
        await using var admin = await RedisTestServer.AdminAsync(target);
        await admin.GetDatabase().ExecuteAsync("FUNCTION", "LOAD", $"#!lua name={AllTypesDataset.Library}\nredis.register_function('theirs', function() return 0 end)");
        var restoreTarget = await RedisTestServer.TargetAsync(target);

        var e = await Assert.ThrowsAsync<LifeboatException>(() => RestoreAsync(restoreTarget, new ServerRestoreOptions { AllowNonEmptyTarget = true }));

        Assert.Equal($"{restoreTarget.Name} already has the function library '{AllTypesDataset.Library}'", e.Message);
        Assert.Empty(await RedisTestServer.KeyCountsAsync(admin));
    }

    [Fact]
    public async Task A_target_holding_only_function_libraries_is_not_empty_and_replace_without_leave_overwrites_none()
    {
        await using var target = await RedisTestServer.StartAsync();
        await using var admin = await RedisTestServer.AdminAsync(target);
        await admin.GetDatabase().ExecuteAsync("FUNCTION", "LOAD", $"#!lua name={AllTypesDataset.Library}\nredis.register_function('theirs', function() return 'theirs' end)");
        var restoreTarget = await RedisTestServer.TargetAsync(target);

        var e = await Assert.ThrowsAsync<LifeboatException>(() => RestoreAsync(restoreTarget, new ServerRestoreOptions { Replace = true }));

        Assert.Equal($"{restoreTarget.Name} is not empty: it has the function library '{AllTypesDataset.Library}'", e.Message);
        Assert.Equal(FailureKind.Usage, e.Kind);
        Assert.Equal(RemedyAction.WriteBesideServerFunctions, e.Remedy?.Action);
        Assert.Equal("theirs", (string?)await admin.GetDatabase().ExecuteAsync("FCALL", "theirs", 0));
        Assert.Empty(await RedisTestServer.KeyCountsAsync(admin));
    }

    [Fact]
    public async Task A_replica_is_refused_naming_its_master_before_anything_is_written_even_one_that_takes_writes()
    {
        await using var master = await RedisTestServer.StartAsync();
        await using var replica = await RedisTestServers.StartAsync(Ct, null, "replica-read-only no");
        await using var replicaAdmin = await RedisTestServer.AdminAsync(replica);
        await replicaAdmin.GetDatabase().ExecuteAsync("REPLICAOF", master.Host, master.Port);
        var restoreTarget = await RedisTestServer.TargetAsync(replica);

        var e = await Assert.ThrowsAsync<LifeboatException>(() => RestoreAsync(restoreTarget, new ServerRestoreOptions()));

        var endpoint = $"{master.Host}:{master.Port}";
        Assert.Equal($"{restoreTarget.Name} is a replica of {endpoint}; a restore writes into a master", e.Message);
        Assert.Equal($"nothing was written; restore into the master, {endpoint}, or make this server a master first (REPLICAOF NO ONE)", e.Hint);
        Assert.Equal(FailureKind.Usage, e.Kind);
        Assert.Empty(await RedisTestServer.KeyCountsAsync(replicaAdmin));
        Assert.Empty(await RedisTestServer.LibrariesAsync(replicaAdmin));
    }

    [Fact]
    public async Task A_bit_flipped_RDB_is_refused_before_anything_is_written()
    {
        await using var target = await RedisTestServer.StartAsync();
        await using var admin = await RedisTestServer.AdminAsync(target);
        var restoreTarget = await RedisTestServer.TargetAsync(target);
        var rdb = TestFiles.AllTypes72;
        rdb[rdb.Length - 100] ^= 0x04;

        var e = await Assert.ThrowsAsync<LifeboatException>(() => RestoreAsync(restoreTarget, new ServerRestoreOptions(), rdb));

        Assert.StartsWith("the RDB cannot be read at byte ", e.Message, StringComparison.Ordinal);
        Assert.Empty(await RedisTestServer.KeyCountsAsync(admin));
        Assert.Empty(await RedisTestServer.LibrariesAsync(admin));
    }

    [Fact]
    public async Task A_truncated_RDB_is_refused_before_anything_is_written()
    {
        await using var target = await RedisTestServer.StartAsync();
        await using var admin = await RedisTestServer.AdminAsync(target);
        var restoreTarget = await RedisTestServer.TargetAsync(target);
        var rdb = TestFiles.AllTypes72[..^20];

        var e = await Assert.ThrowsAsync<LifeboatException>(() => RestoreAsync(restoreTarget, new ServerRestoreOptions(), rdb));

        Assert.StartsWith($"the RDB is truncated: it ends at byte {rdb.Length}", e.Message, StringComparison.Ordinal);
        Assert.Empty(await RedisTestServer.KeyCountsAsync(admin));
        Assert.Empty(await RedisTestServer.LibrariesAsync(admin));
    }

    [Fact]
    public async Task An_RDB_whose_keys_disagree_with_the_count_it_declares_is_refused_naming_the_database()
    {
        await using var target = await RedisTestServer.StartAsync();
        await using var admin = await RedisTestServer.AdminAsync(target);
        var restoreTarget = await RedisTestServer.TargetAsync(target);
        // Database 3 declares two keys (RESIZEDB 2 0) and holds one.
        var rdb = HandMadeRdb([0xfe, 0x03, 0xfb, 0x02, 0x00, 0x00, 0x01, (byte)'k', 0x01, (byte)'v']);

        var e = await Assert.ThrowsAsync<LifeboatException>(() => RestoreAsync(restoreTarget, new ServerRestoreOptions(), rdb));

        Assert.Equal("the RDB declares 2 keys (0 with an expiry) in database 3 but holds 1 (0 with an expiry)", e.Message);
        Assert.Empty(await RedisTestServer.KeyCountsAsync(admin));
    }

    private static async Task<ServerRestoreResult> RestoreAsync(RestoreTarget target, ServerRestoreOptions options, byte[]? rdb = null)
    {
        try
        {
            return await RdbServerRestore.RunAsync(RedisTestServer.Opener(rdb ?? TestFiles.AllTypes72), "the RDB", target, options, SilentReporter.Instance, Ct);
        }
        finally
        {
            await target.Connection.DisposeAsync();
        }
    }

    /// <summary>An RDB 10 with the given body, the end marker and its checksum (redis's CRC64 computed the long way).</summary>
    private static byte[] HandMadeRdb(byte[] body)
    {
        byte[] bytes = [.. "REDIS0010"u8, .. body, 0xff];
        ulong crc = 0;
        foreach (var b in bytes)
        {
            crc ^= b;
            for (var bit = 0; bit < 8; bit++)
                crc = (crc & 1) != 0 ? (crc >> 1) ^ 0x95ac9329ac4bc9b5 : crc >> 1;
        }

        var trailer = new byte[8];
        BinaryPrimitives.WriteUInt64LittleEndian(trailer, crc);
        return [.. bytes, .. trailer];
    }
}
