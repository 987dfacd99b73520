using Lifeboat.IntegrationTests.Infrastructure;
using Npgsql;

namespace Lifeboat.IntegrationTests.Postgres;

/// <summary>The devstack server the other tests use archives its WAL through lifeboat, so they all run on the real path.</summary>
public sealed class DevstackArchivingTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task The_devstack_server_archives_through_lifeboat_wal_push_with_the_plans_five_minute_timeout()
    {
        await using var connection = new NpgsqlConnection(TestDatabase.ConnectionString("postgres"));
        await connection.OpenAsync(Ct);

        Assert.Equal("on", await ScalarAsync(connection, "SHOW archive_mode"));
        Assert.Equal("5min", await ScalarAsync(connection, "SHOW archive_timeout"));
        Assert.EndsWith("/wal-push.sh\" %p", await ScalarAsync(connection, "SHOW archive_command"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_segment_the_devstack_server_finishes_is_archived_within_a_minute()
    {
        await using var connection = new NpgsqlConnection(TestDatabase.ConnectionString("postgres"));
        await connection.OpenAsync(Ct);
        await ScalarAsync(connection, "SELECT pg_current_xact_id()::text");

        var segment = await ScalarAsync(connection, "SELECT pg_walfile_name(pg_switch_wal())");

        for (var deadline = DateTime.UtcNow.AddMinutes(1); DateTime.UtcNow < deadline; await Task.Delay(200, Ct))
        {
            if (await ScalarAsync(connection, "SELECT coalesce(last_archived_wal, '') FROM pg_stat_archiver") is { } last
                && string.CompareOrdinal(last, segment) >= 0)
                return;
        }

        Assert.Fail(
            $"the devstack server did not archive {segment} within a minute; pg_stat_archiver: {await ScalarAsync(connection, "SELECT row_to_json(a)::text FROM pg_stat_archiver a")}. "
            + "Its archive_command runs the lifeboat that scripts/test.sh and scripts/demo.sh publish (artifacts/lifeboat/lifeboat of the checkout that last ran 'scripts/devstack.sh start'); "
            + "why it fails is in the server log, log/postgresql.log in the devstack directory (/var/tmp/lifeboat-devstack, or LIFEBOAT_DEVSTACK_DIR)");
    }

    private static async Task<string?> ScalarAsync(NpgsqlConnection connection, string sql)
    {
        await using var command = new NpgsqlCommand(sql, connection);
        return (await command.ExecuteScalarAsync(Ct))?.ToString();
    }
}
