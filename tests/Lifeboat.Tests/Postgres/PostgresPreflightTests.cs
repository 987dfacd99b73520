using Lifeboat.Postgres;
using Npgsql;

namespace Lifeboat.Tests.Postgres;

/// <summary>The pure rules of the PostgreSQL preflight: what a dump may read, what a restore may do, tool against server version, room to spool a restore.</summary>
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

    [Fact]
    public void Tables_under_row_level_security_the_user_cannot_bypass_fail_the_permissions_check_naming_five_and_counting_the_rest()
    {
        var rowSecured = new NamedTables(["public.a", "public.b", "public.c", "public.d", "public.e"], 7);

        var check = PostgresPreflight.DumpPermissions("postgres/app permissions", "reader", NamedTables.None, rowSecured);

        Assert.Equal(HealthStatus.Fail, check.Status);
        Assert.Equal("user 'reader' may read 7 table(s) only through row-level security, which a dump turns off, so the dump would fail: public.a, public.b, public.c, public.d, public.e and 2 more", check.Detail);
        Assert.StartsWith("ALTER ROLE \"reader\" BYPASSRLS, or connect as the tables' owner", check.Hint, StringComparison.Ordinal);
    }

    [Fact]
    public void Unreadable_tables_and_tables_under_row_level_security_are_both_named()
    {
        var check = PostgresPreflight.DumpPermissions("p", "reader", new NamedTables(["public.secret"], 1), new NamedTables(["public.tenant"], 1));

        Assert.Equal(HealthStatus.Fail, check.Status);
        Assert.Equal("user 'reader' may not read 1 table(s) a dump must read: public.secret; user 'reader' may read 1 table(s) only through row-level security, which a dump turns off, so the dump would fail: public.tenant", check.Detail);
        Assert.Contains("grant the user SELECT", check.Hint, StringComparison.Ordinal);
        Assert.Contains("BYPASSRLS", check.Hint, StringComparison.Ordinal);
    }

    [Fact]
    public void A_user_that_may_read_every_table_passes_the_permissions_check() =>
        Assert.Equal(HealthStatus.Ok, PostgresPreflight.DumpPermissions("p", "reader", NamedTables.None, NamedTables.None).Status);

    [Fact]
    public void A_user_that_owns_the_target_and_may_create_databases_may_restore()
    {
        var check = new RestoreRights(MayCreateDatabases: true, Owner: "app_owner", OwnsTarget: true).Check("postgres/app restore", "ops", "app");

        Assert.Equal(HealthCheck.Ok("postgres/app restore", "user 'ops' connects to 'postgres' and may create databases; it may replace 'app' (owned by 'app_owner')"), check);
    }

    [Fact]
    public void A_user_that_does_not_own_the_target_warns_naming_its_owner_and_how_to_hand_it_over()
    {
        var check = new RestoreRights(MayCreateDatabases: true, Owner: "app_owner", OwnsTarget: false).Check("postgres/app restore", "ops", "app");

        Assert.Equal(HealthStatus.Warn, check.Status);
        Assert.Equal("user 'ops' does not own database 'app' (its owner is 'app_owner'): a restore that replaces it renames it aside and drops it, which only its owner may", check.Detail);
        Assert.Equal("ALTER DATABASE \"app\" OWNER TO \"ops\", or GRANT \"app_owner\" TO \"ops\"; or restore as a user that may", check.Hint);
    }

    [Fact]
    public void A_maintenance_database_that_refuses_the_user_warns_with_its_reason()
    {
        var check = new RestoreRights(true, "ops", true, MaintenanceRefused: "permission denied for database \"postgres\"").Check("postgres/app restore", "ops", "app");

        Assert.Equal(HealthStatus.Warn, check.Status);
        Assert.Equal("user 'ops' cannot connect to the maintenance database 'postgres', from which a restore creates, renames and drops databases: permission denied for database \"postgres\"", check.Detail);
        Assert.StartsWith("let the user connect to 'postgres'", check.Hint, StringComparison.Ordinal);
    }

    [Fact]
    public void A_target_that_does_not_exist_yet_needs_no_owner()
    {
        var check = new RestoreRights(MayCreateDatabases: true, Owner: null, OwnsTarget: true).Check("r", "ops", "app");

        Assert.Equal(HealthStatus.Ok, check.Status);
        Assert.EndsWith("database 'app' does not exist yet", check.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public void A_query_the_server_refuses_for_want_of_a_privilege_is_a_failed_check_with_the_servers_words()
    {
        var refused = new PostgresException("permission denied for view pg_roles", "ERROR", "ERROR", PostgresErrorCodes.InsufficientPrivilege);

        var check = PostgresPreflight.QueryFailed("postgres/app permissions", "could not read the catalog", refused);

        Assert.Equal(new HealthCheck("postgres/app permissions", HealthStatus.Fail, "could not read the catalog: permission denied for view pg_roles")
        {
            Hint = "grant the user what the message names, or connect as a user that has it",
        }, check);
    }

    [Fact]
    public void A_query_that_timed_out_on_the_client_is_a_failed_check_saying_how_long_it_waited()
    {
        var timedOut = new NpgsqlException("Exception while reading from stream", new TimeoutException("Timeout during reading attempt"));

        var check = PostgresPreflight.QueryFailed("postgres/app permissions", "could not read the catalog", timedOut);

        Assert.Equal(HealthStatus.Fail, check.Status);
        Assert.Equal("could not read the catalog: no answer within 10 s", check.Detail);
    }
}
