using Lifeboat.TestKit.Servers;
using StackExchange.Redis;

namespace Lifeboat.IntegrationTests.Redis;

/// <summary>
/// A Redis 7.0 filled with every type and over 100 MB (100,000 random values of 1 KB in database 2), saved to its
/// dump.rdb once for the tests that read or restore it.
/// </summary>
public sealed class FilledRedis70 : IAsyncLifetime
{
    public const int BulkKeys = 100_000;
    public const int BulkValueBytes = 1024;

    public PrivateRedis Server { get; private set; } = null!;

    public ConnectionMultiplexer Admin { get; private set; } = null!;

    /// <summary>The server's dump.rdb, RDB 10.</summary>
    public string Dump { get; private set; } = null!;

    public async ValueTask InitializeAsync()
    {
        Server = await RedisTestServer.StartAsync();
        Admin = await RedisTestServer.AdminAsync(Server);
        await AllTypesDataset.FillAsync(Admin, BulkKeys, BulkValueBytes);
        Dump = await RedisTestServer.SaveAsync(Server, Admin);
    }

    public async ValueTask DisposeAsync()
    {
        if (Admin is not null)
            await Admin.DisposeAsync();
        if (Server is not null)
            await Server.DisposeAsync();
    }
}
