using Lifeboat.Postgres;

namespace Lifeboat.Tests.Postgres;

/// <summary>The pure rules of the PostgreSQL preflight: tool against server version, and room to spool a restore.</summary>
public sealed class PostgresPreflightTests
{
    private static readonly PgTool PgDump16 = new("/usr/lib/postgresql/16/bin/pg_dump", "pg_dump (PostgreSQL) 16.4", 16);

    [Theory]
    [InlineData(16, true)]
    [InlineData(15, true)]
    [InlineData(17, false)]
    public void A_tool_serves_servers_of_its_own_major_version_and_older_ones(int serverMajor, bool serves) =>
        Assert.Equal(serves, PgDump16.Serves(serverMajor));

    [Fact]
    public void A_pg_dump_older_than_the_server_fails_naming_both_versions_and_the_client_to_install()
    {
        var check = PostgresPreflight.ToolCheck("postgres/app pg_dump", "dump", (PgDump16, null), new PostgresServerVersion("17.2", 17));

        Assert.Equal(HealthStatus.Fail, check.Status);
        Assert.Equal("/usr/lib/postgresql/16/bin/pg_dump is version 16, older than the server (17.2): it cannot dump a newer server", check.Detail);
        Assert.Equal("install postgresql-client-17", check.Hint);
        Assert.Equal(new Remedy(RemedyAction.PointAtClientTools, "postgres"), check.Remedy);
    }

    [Fact]
    public void A_pg_dump_as_new_as_the_server_is_ok()
    {
        var check = PostgresPreflight.ToolCheck("postgres/app pg_dump", "dump", (PgDump16, null), new PostgresServerVersion("16.1", 16));

        Assert.Equal(HealthStatus.Ok, check.Status);
        Assert.Equal("/usr/lib/postgresql/16/bin/pg_dump, version 16, no older than the server's 16", check.Detail);
    }

    [Fact]
    public void A_tool_found_while_the_server_is_unreachable_is_ok_and_says_its_version_was_not_compared()
    {
        var check = PostgresPreflight.ToolCheck("postgres/app pg_dump", "dump", (PgDump16, null), null);

        Assert.Equal(HealthStatus.Ok, check.Status);
        Assert.Contains("not compared with the server's", check.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public void A_missing_tool_fails_with_the_error_that_located_it()
    {
        var missing = new LifeboatException("pg_restore was not found on PATH", "install the PostgreSQL client") { Remedy = new(RemedyAction.PointAtClientTools, "postgres") };

        var check = PostgresPreflight.ToolCheck("postgres/app pg_restore", "restore into", (null, missing), new PostgresServerVersion("16.1", 16));

        Assert.Equal(new HealthCheck("postgres/app pg_restore", HealthStatus.Fail, "pg_restore was not found on PATH") { Hint = missing.Hint, Remedy = missing.Remedy }, check);
    }

    [Fact]
    public void A_spool_directory_with_less_room_than_the_newest_archive_warns_and_says_where_else_to_spool()
    {
        var check = PostgresPreflight.SpoolRoom("postgres/app spool space", "/tmp", freeBytes: 1L << 30, archiveBytes: 3L << 30);

        Assert.Equal(HealthStatus.Warn, check.Status);
        Assert.StartsWith("only 1.0 GiB free in /tmp, less than the 3.0 GiB", check.Detail, StringComparison.Ordinal);
        Assert.Equal(RemedyAction.SpoolElsewhere, check.Remedy?.Action);
    }

    [Fact]
    public void A_spool_directory_with_room_for_the_newest_archive_is_ok() =>
        Assert.Equal(HealthStatus.Ok, PostgresPreflight.SpoolRoom("spool", "/tmp", freeBytes: 3L << 30, archiveBytes: 3L << 30).Status);

    [Theory]
    [InlineData(PostgresPreflight.SpoolFloorBytes - 1, HealthStatus.Warn)]
    [InlineData(PostgresPreflight.SpoolFloorBytes, HealthStatus.Ok)]
    public void Before_the_first_backup_the_spool_directory_is_held_to_a_floor(long freeBytes, HealthStatus expected) =>
        Assert.Equal(expected, PostgresPreflight.SpoolRoom("spool", "/tmp", freeBytes, archiveBytes: null).Status);

    [Fact]
    public void A_spool_directory_whose_free_space_cannot_be_read_warns() =>
        Assert.Equal(HealthStatus.Warn, PostgresPreflight.SpoolRoom("spool", "/nowhere", freeBytes: null, archiveBytes: 1).Status);
}
