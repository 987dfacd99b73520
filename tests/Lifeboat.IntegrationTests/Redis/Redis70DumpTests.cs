using System.Diagnostics;
using System.Text;
using Lifeboat.IntegrationTests.Infrastructure;
using Lifeboat.Redis;
using Lifeboat.Redis.Rdb;
using Lifeboat.Redis.ServerRestore;
using StackExchange.Redis;

namespace Lifeboat.IntegrationTests.Redis;

/// <summary>An RDB 10 written by Debian's Redis 7.0 with every type and 100 MB: read entry by entry, restored into another 7.0, and taken through the command line both ways.</summary>
public sealed class Redis70DumpTests(FilledRedis70 source) : IClassFixture<FilledRedis70>
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task The_reader_finds_every_key_of_a_Redis_7_0_dump_with_its_type_and_expiry()
    {
        var expected = await AllTypesDataset.KeysAsync(source.Admin, 0, 1, 5);
        var read = new List<(int, string, string, long)>();
        var bulk = 0;
        await using var file = File.OpenRead(source.Dump);
        using var reader = await RdbReader.OpenAsync(file, "the 7.0 dump", keepValues: true, Ct);
        while (await reader.ReadAsync(Ct) is { } entry)
        {
            if (entry is not RdbKeyValue key)
                continue;
            Assert.Equal(key.Type, key.Value.Span[0]);
            if (key.Db == 2)
                bulk++;
            else
                read.Add((key.Db, Encoding.UTF8.GetString(key.Key), RdbType.LogicalName(key.Type), key.ExpireAtMs ?? -1));
        }

        Assert.Equal(10, reader.Version);
        Assert.NotNull(reader.Checksum);
        Assert.Equal(FilledRedis70.BulkKeys, bulk);
        Assert.Equal(expected, read.OrderBy(k => k.Item1).ThenBy(k => k.Item2, StringComparer.Ordinal));
        Assert.Contains(read, k => k.Item3 == "stream");
    }

    [Fact]
    public async Task A_7_0_dump_restored_into_an_empty_7_0_gives_the_same_digest_expiry_times_and_functions()
    {
        Assert.True(new FileInfo(source.Dump).Length > 100_000_000);
        await using var target = await RedisTestServer.StartAsync();
        await using var targetAdmin = await RedisTestServer.AdminAsync(target);
        var restoreTarget = await RedisTestServer.TargetAsync(target);

        var clock = Stopwatch.StartNew();
        var result = await RdbServerRestore.RunAsync(
            RedisTestServer.Opener(source.Dump), "the 7.0 dump", restoreTarget, new ServerRestoreOptions(), SilentReporter.Instance, Ct);
        TestContext.Current.SendDiagnosticMessage($"restored {result.KeysRestored} keys ({new FileInfo(source.Dump).Length} bytes) in {clock.Elapsed}");

        Assert.Equal(await RedisTestServer.DigestAsync(source.Admin), await RedisTestServer.DigestAsync(targetAdmin));
        Assert.Equal(await AllTypesDataset.KeysAsync(source.Admin, 0, 1, 5), await AllTypesDataset.KeysAsync(targetAdmin, 0, 1, 5));
        Assert.Equal([AllTypesDataset.Library], await RedisTestServer.LibrariesAsync(targetAdmin));
        Assert.Equal("hi", (string?)await targetAdmin.GetDatabase().ExecuteAsync("FCALL", "echo_one", 0, "hi"));
        Assert.Equal(await RedisTestServer.KeyCountsAsync(source.Admin), result.Databases.ToDictionary(d => d.Db, d => d.Restored));
        Assert.All(result.Databases, d => Assert.Equal((d.Keys, 0L, 0L), (d.Restored, d.Expired, d.FilteredOut)));
        Assert.Equal(10, result.PayloadRdbVersion);
        await restoreTarget.Connection.DisposeAsync();
    }

    [Fact]
    public async Task Pending_entries_and_consumers_of_a_restored_stream_are_kept()
    {
        await using var target = await RedisTestServer.StartAsync();
        await using var targetAdmin = await RedisTestServer.AdminAsync(target);
        var restoreTarget = await RedisTestServer.TargetAsync(target);

        await RdbServerRestore.RunAsync(
            RedisTestServer.Opener(source.Dump), "the 7.0 dump", restoreTarget, new ServerRestoreOptions { KeyPattern = "stream:*" }, SilentReporter.Instance, Ct);

        var pending = await targetAdmin.GetDatabase().StreamPendingAsync("stream:events", "workers");
        Assert.Equal(7, pending.PendingMessageCount);
        Assert.Equal(["alice", "bob"], pending.Consumers.Select(c => (string)c.Name!).Order(StringComparer.Ordinal));
        Assert.Equal(2, (await targetAdmin.GetDatabase().StreamGroupInfoAsync("stream:events")).Length);
        await restoreTarget.Connection.DisposeAsync();
    }

    [Fact]
    public async Task A_backup_restored_to_a_file_and_into_a_running_server_gives_three_servers_with_one_digest()
    {
        await using var repo = await TestRepository.CreateLocalAsync();
        var config = RedisTestServers.WriteConfig(repo, source.Server);
        var backup = await Infrastructure.Cli.RunAsync("--config", config, "backup", "redis");
        Assert.True(backup.ExitCode == 0, backup.Stderr);
        var manifest = (await repo.Repository.ListBackupsAsync(null, Ct)).Single();
        var directory = RedisTestServers.NewDirectory("redis-three");

        var toFile = await Infrastructure.Cli.RunAsync("--config", config, "restore", "redis", "--to", Path.Combine(directory, "dump.rdb"));
        await using var fromFile = await RedisTestServers.StartAsync(Ct, null, $"dir {directory}", "dbfilename dump.rdb");
        await using var fromFileAdmin = await RedisTestServer.AdminAsync(fromFile);
        await using var intoServer = await RedisTestServer.StartAsync();
        await using var intoServerAdmin = await RedisTestServer.AdminAsync(intoServer);
        var toServer = await Infrastructure.Cli.RunAsync("--config", config, "restore", "redis", "--to-server", $"{intoServer.Host}:{intoServer.Port}", "--json");

        Assert.True(manifest.SizeBytes > 100_000_000, $"{manifest.SizeBytes} bytes");
        Assert.Equal(await RedisTestServer.KeyCountsAsync(source.Admin), RedisSnapshotInfo.Of(manifest).RdbKeyspace!.ToDictionary(d => d.Database, d => d.Keys));
        Assert.True(toFile.ExitCode == 0, toFile.Stderr);
        Assert.True(toServer.ExitCode == 0, toServer.Stderr);
        var digest = await RedisTestServer.DigestAsync(source.Admin);
        Assert.Equal(digest, await RedisTestServer.DigestAsync(fromFileAdmin));
        Assert.Equal(digest, await RedisTestServer.DigestAsync(intoServerAdmin));
        Assert.Equal([AllTypesDataset.Library], await RedisTestServer.LibrariesAsync(intoServerAdmin));
        using var json = System.Text.Json.JsonDocument.Parse(toServer.Stdout);
        Assert.True(json.RootElement.GetProperty("countsCheckedAgainstBackup").GetBoolean());
    }
}
