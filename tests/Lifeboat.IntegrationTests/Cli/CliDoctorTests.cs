using System.Diagnostics;
using System.Text.Json;
using Lifeboat.IntegrationTests.Infrastructure;
using Lifeboat.TestKit.Servers;

namespace Lifeboat.IntegrationTests.Cli;

/// <summary>'lifeboat doctor' through the executable: one line per check, exit 3 only when one fails.</summary>
public sealed class CliDoctorTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task A_working_setup_passes_every_check_and_exits_0()
    {
        await using var database = await TestDatabase.CreateAsync("doctorok", "CREATE TABLE items (id int PRIMARY KEY)");
        await using var repo = await TestRepository.CreateLocalAsync();
        var config = repo.WriteConfig(database.SourceConfig("app"));
        var backup = await Infrastructure.Cli.RunAsync("--config", config, "backup", "postgres", "--json");

        var result = await Infrastructure.Cli.RunAsync("--config", config, "doctor");

        Assert.True(backup.ExitCode == 0, backup.Stderr);
        Assert.True(result.ExitCode == 0, result.Stdout + result.Stderr);
        // With a backup taken, the spool is sized by the archive a restore of it would spool.
        Assert.Matches(@"ok    postgres/app spool space: [\d.]+ \w+ free in .+ for the newest backup's [\d.]+ \w+ archive", result.Stdout);
        string[] checks = ["configuration", "repository", "key", "locks", "uploads", "postgres/app connection", "postgres/app permissions", "postgres/app restore",
            "postgres/app pg_dump", "postgres/app pg_restore", "postgres/app newest backup", "postgres/app spool space"];
        foreach (var check in checks)
            Assert.Contains($"ok    {check}: ", result.Stdout, StringComparison.Ordinal);
        Assert.Contains($"ok    postgres/app restore: user '{TestEnvironment.PgUser}' connects to 'postgres' and may create databases; it may replace '{database.Name}'", result.Stdout, StringComparison.Ordinal);
        Assert.Contains($"ok    postgres/app newest backup: {BackupIdOf(backup)}, started ", result.Stdout, StringComparison.Ordinal);
        Assert.DoesNotContain("warn  ", result.Stdout, StringComparison.Ordinal);
        Assert.EndsWith($"{checks.Length} checks: {checks.Length} ok, 0 warning(s), 0 failed, 0 skipped", result.Stdout.TrimEnd(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_key_that_does_not_open_the_repository_is_a_failed_check_and_exit_3()
    {
        await using var database = await TestDatabase.CreateAsync("doctorkey");
        await using var repo = await TestRepository.CreateLocalAsync();
        var otherKey = Path.Combine(repo.Directory, "other.key");
        Lifeboat.Format.KeyFile.Create(otherKey);
        var config = repo.Config().KeyFile(otherKey).Postgres(database.SourceConfig("app")).WriteTo(Path.Combine(repo.Directory, "lifeboat.yaml"));

        var result = await Infrastructure.Cli.RunAsync("--config", config, "doctor");

        Assert.Equal(3, result.ExitCode);
        Assert.Contains("ok    repository: ", result.Stdout, StringComparison.Ordinal);
        Assert.Contains($"fail  key: the key does not open the repository at file://{repo.RepositoryPath}. hint: check repository.encryption", result.Stdout, StringComparison.Ordinal);
        // The other checks still run: the sources do not need the key.
        Assert.Contains("ok    postgres/app connection: ", result.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_unreachable_postgres_is_a_failed_check_with_a_hint_and_exit_3()
    {
        await using var database = await TestDatabase.CreateAsync("doctorport");
        await using var repo = await TestRepository.CreateLocalAsync();
        var config = repo.WriteConfig(database.SourceConfig("app") with { Port = FreeTcpPort.Pick() });

        var result = await Infrastructure.Cli.RunAsync("--config", config, "doctor");

        Assert.Equal(3, result.ExitCode);
        Assert.Matches(@"fail  postgres/app connection: cannot reach PostgreSQL at [^ ]+:\d+: .+\. hint: is the server running, and are postgres\[\]\.host and port right\?", result.Stdout);
        Assert.Contains("skip  postgres/app permissions: not checked: no connection", result.Stdout, StringComparison.Ordinal);
        Assert.Contains("ok    key: ", result.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_user_that_may_not_read_a_table_fails_the_permissions_check_naming_it_and_one_that_may_not_restore_warns()
    {
        await using var database = await TestDatabase.CreateAsync("doctorperm", "CREATE TABLE open_items (id int); CREATE TABLE secret_items (id int);");
        await using var repo = await TestRepository.CreateLocalAsync();
        var role = TestEnvironment.UniqueName("doctor_reader");
        var password = Guid.NewGuid().ToString("N");
        const string passwordVariable = "LIFEBOAT_TEST_DOCTOR_READER_PASSWORD";
        var environment = new Dictionary<string, string?> { [passwordVariable] = password };
        await TestDatabase.AdminAsync($"CREATE ROLE \"{role}\" LOGIN NOCREATEDB PASSWORD '{password}'");
        try
        {
            await database.ExecuteAsync($"GRANT SELECT ON open_items TO \"{role}\"");
            var config = repo.WriteConfig(database.SourceConfig("app") with { User = role, PasswordEnv = passwordVariable });

            var denied = await Infrastructure.Cli.RunAsync(environment, "--config", config, "doctor");
            await database.ExecuteAsync($"GRANT SELECT ON secret_items TO \"{role}\"");
            var readable = await Infrastructure.Cli.RunAsync(environment, "--config", config, "doctor");

            Assert.Equal(3, denied.ExitCode);
            Assert.Contains($"fail  postgres/app permissions: user '{role}' may not read 1 table(s) a dump must read: public.secret_items. hint: grant the user SELECT", denied.Stdout, StringComparison.Ordinal);
            Assert.True(readable.ExitCode == 0, readable.Stdout + readable.Stderr);
            Assert.Contains($"ok    postgres/app permissions: user '{role}' may read every table", readable.Stdout, StringComparison.Ordinal);
            Assert.Contains($"warn  postgres/app restore: user '{role}' may not create databases: a restore builds a staging database and swaps it in; "
                + $"user '{role}' does not own database '{database.Name}' (its owner is '{TestEnvironment.PgUser}'): a restore that replaces it renames it aside and drops it, which only its owner may. "
                + $"hint: ALTER ROLE \"{role}\" CREATEDB; ALTER DATABASE \"{database.Name}\" OWNER TO \"{role}\", or GRANT \"{TestEnvironment.PgUser}\" TO \"{role}\"; or restore as a user that may", readable.Stdout, StringComparison.Ordinal);
        }
        finally
        {
            await database.ExecuteAsync($"DROP OWNED BY \"{role}\"");
            await TestDatabase.AdminAsync($"DROP ROLE IF EXISTS \"{role}\"");
        }
    }

    [Fact]
    public async Task A_table_under_row_level_security_the_user_may_not_bypass_fails_the_permissions_check_as_the_dump_would_fail()
    {
        await using var database = await TestDatabase.CreateAsync("doctorrls", """
            CREATE TABLE open_items (id int);
            CREATE TABLE tenant_items (id int);
            ALTER TABLE tenant_items ENABLE ROW LEVEL SECURITY;
            CREATE TABLE owned_items (id int);
            CREATE TABLE forced_items (id int);
            """);
        await using var repo = await TestRepository.CreateLocalAsync();
        var role = TestEnvironment.UniqueName("doctor_rls");
        var password = Guid.NewGuid().ToString("N");
        const string passwordVariable = "LIFEBOAT_TEST_DOCTOR_RLS_PASSWORD";
        var environment = new Dictionary<string, string?> { [passwordVariable] = password };
        await TestDatabase.AdminAsync($"CREATE ROLE \"{role}\" LOGIN NOBYPASSRLS PASSWORD '{password}'");
        try
        {
            // Its own table with row security binds it only when forced on the owner.
            await database.ExecuteAsync($"""
                GRANT SELECT ON ALL TABLES IN SCHEMA public TO "{role}";
                ALTER TABLE owned_items OWNER TO "{role}";
                ALTER TABLE owned_items ENABLE ROW LEVEL SECURITY;
                ALTER TABLE forced_items OWNER TO "{role}";
                ALTER TABLE forced_items ENABLE ROW LEVEL SECURITY, FORCE ROW LEVEL SECURITY;
                """);
            var config = repo.WriteConfig(database.SourceConfig("app") with { User = role, PasswordEnv = passwordVariable });

            var doctor = await Infrastructure.Cli.RunAsync(environment, "--config", config, "doctor");
            var backup = await Infrastructure.Cli.RunAsync(environment, "--config", config, "backup", "postgres");
            await TestDatabase.AdminAsync($"ALTER ROLE \"{role}\" BYPASSRLS");
            var bypassing = await Infrastructure.Cli.RunAsync(environment, "--config", config, "doctor");

            Assert.Equal(3, doctor.ExitCode);
            Assert.Contains($"fail  postgres/app permissions: user '{role}' may read 2 table(s) only through row-level security, which a dump turns off, so the dump would fail: "
                + $"public.forced_items, public.tenant_items. hint: ALTER ROLE \"{role}\" BYPASSRLS, or connect as the tables' owner", doctor.Stdout, StringComparison.Ordinal);
            Assert.NotEqual(0, backup.ExitCode);
            Assert.Contains("row-level security", backup.Stderr, StringComparison.Ordinal);
            Assert.Contains($"ok    postgres/app permissions: user '{role}' may read every table", bypassing.Stdout, StringComparison.Ordinal);
        }
        finally
        {
            await database.ExecuteAsync($"DROP OWNED BY \"{role}\"");
            await TestDatabase.AdminAsync($"DROP ROLE IF EXISTS \"{role}\"");
        }
    }

    [Fact]
    public async Task A_user_the_maintenance_database_refuses_gets_a_restore_warning_naming_it()
    {
        await using var cluster = await PrivatePostgres.StartNewAsync(Ct);
        await using var repo = await TestRepository.CreateLocalAsync();
        const string role = "doctor_app";
        var password = Guid.NewGuid().ToString("N");
        const string passwordVariable = "LIFEBOAT_TEST_DOCTOR_APP_PASSWORD";
        await cluster.ExecuteAsync($"CREATE ROLE {role} LOGIN CREATEDB PASSWORD '{password}'", Ct);
        await cluster.ExecuteAsync($"CREATE DATABASE app OWNER {role}", Ct);
        // A private cluster: no other test connects to its 'postgres'.
        await cluster.ExecuteAsync("REVOKE CONNECT ON DATABASE postgres FROM PUBLIC", Ct);
        var config = repo.WriteConfig(cluster.Source("app", "app", passwordVariable) with { User = role });

        var result = await Infrastructure.Cli.RunAsync(new Dictionary<string, string?> { [passwordVariable] = password }, "--config", config, "doctor");

        Assert.Contains($"ok    postgres/app connection: connected to 127.0.0.1:{cluster.Port}/app as '{role}'", result.Stdout, StringComparison.Ordinal);
        Assert.Contains($"warn  postgres/app restore: user '{role}' cannot connect to the maintenance database 'postgres', from which a restore creates, renames and drops databases: "
            + $"PostgreSQL at 127.0.0.1:{cluster.Port}/postgres refused the connection: permission denied for database \"postgres\". "
            + "hint: let the user connect to 'postgres' (pg_hba.conf, GRANT CONNECT); or restore as a user that may", result.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_source_whose_password_variable_is_unset_fails_its_connection_skips_what_needs_one_and_still_checks_its_tools_and_the_next_source()
    {
        await using var database = await TestDatabase.CreateAsync("doctornopass");
        await using var repo = await TestRepository.CreateLocalAsync();
        var config = repo.WriteConfig(database.SourceConfig("app") with { PasswordEnv = "LIFEBOAT_TEST_DOCTOR_UNSET_PASSWORD" }, database.SourceConfig("crm"));

        var result = await Infrastructure.Cli.RunAsync("--config", config, "doctor");

        Assert.Equal(3, result.ExitCode);
        Assert.Contains("fail  postgres/app connection: ", result.Stdout, StringComparison.Ordinal);
        Assert.Contains("skip  postgres/app permissions: not checked: no connection", result.Stdout, StringComparison.Ordinal);
        Assert.Contains("skip  postgres/app restore: not checked: no connection", result.Stdout, StringComparison.Ordinal);
        Assert.Matches(@"ok    postgres/app pg_dump: .*not compared with the server's", result.Stdout);
        Assert.Matches(@"ok    postgres/app pg_restore: ", result.Stdout);
        Assert.Contains("ok    postgres/app newest backup: none yet in ", result.Stdout, StringComparison.Ordinal);
        Assert.Contains("postgres/app spool space: ", result.Stdout, StringComparison.Ordinal);
        Assert.Contains("ok    postgres/crm connection: ", result.Stdout, StringComparison.Ordinal);
        Assert.Contains("ok    postgres/crm spool space: ", result.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_catalog_query_the_server_refuses_is_a_failed_check_and_the_checks_after_it_and_the_next_source_still_run()
    {
        await using var app = await TestDatabase.CreateAsync("doctorcatalog", "CREATE TABLE items (id int)");
        await using var crm = await TestDatabase.CreateAsync("doctorcatalogcrm");
        await using var repo = await TestRepository.CreateLocalAsync();
        var role = TestEnvironment.UniqueName("doctor_catalog");
        var password = Guid.NewGuid().ToString("N");
        const string passwordVariable = "LIFEBOAT_TEST_DOCTOR_CATALOG_PASSWORD";
        await TestDatabase.AdminAsync($"CREATE ROLE \"{role}\" LOGIN PASSWORD '{password}'");
        try
        {
            // pg_roles is a view of each database: revoked in this one only, the other tests' databases keep it.
            await app.ExecuteAsync($"GRANT SELECT ON items TO \"{role}\"; REVOKE SELECT ON pg_catalog.pg_roles FROM PUBLIC");
            var config = repo.WriteConfig(app.SourceConfig("app") with { User = role, PasswordEnv = passwordVariable }, crm.SourceConfig("crm"));

            var result = await Infrastructure.Cli.RunAsync(new Dictionary<string, string?> { [passwordVariable] = password }, "--config", config, "doctor");

            Assert.Equal(3, result.ExitCode);
            Assert.Contains($"fail  postgres/app permissions: could not read the catalog of {TestEnvironment.PgHost}:{TestEnvironment.PgPort}/{app.Name} to see what user '{role}' may read: "
                + "permission denied for view pg_roles. hint: grant the user what the message names", result.Stdout, StringComparison.Ordinal);
            Assert.DoesNotContain("unexpected", result.Stdout, StringComparison.Ordinal);
            Assert.Contains("postgres/app restore: ", result.Stdout, StringComparison.Ordinal);
            Assert.Contains("ok    postgres/app pg_dump: ", result.Stdout, StringComparison.Ordinal);
            Assert.Contains("ok    postgres/crm connection: ", result.Stdout, StringComparison.Ordinal);
            Assert.Contains("ok    postgres/crm permissions: ", result.Stdout, StringComparison.Ordinal);
        }
        finally
        {
            await app.ExecuteAsync($"DROP OWNED BY \"{role}\"");
            await TestDatabase.AdminAsync($"DROP ROLE IF EXISTS \"{role}\"");
        }
    }

    [Fact]
    public async Task A_damaged_newest_backup_is_a_failed_check_saying_a_restore_of_latest_would_be_refused_and_naming_the_older_one()
    {
        await using var database = await TestDatabase.CreateAsync("doctordamaged", "CREATE TABLE items (id int)");
        await using var repo = await TestRepository.CreateLocalAsync();
        var config = repo.WriteConfig(database.SourceConfig("app"));
        var older = BackupIdOf(await Infrastructure.Cli.RunAsync("--config", config, "backup", "postgres", "--json"));
        var newer = BackupIdOf(await Infrastructure.Cli.RunAsync("--config", config, "backup", "postgres", "--json"));
        var newest = (await repo.Repository.ListBackupsAsync(null, Ct)).Single(m => m.Id == newer);
        var manifest = Path.Combine(repo.RepositoryPath, Lifeboat.Repository.BackupRepository.ManifestKey(newest));
        Postgres.PostgresRestoreSafetyTests.FlipByte(manifest, new FileInfo(manifest).Length / 2);

        var result = await Infrastructure.Cli.RunAsync("--config", config, "doctor");

        Assert.Equal(3, result.ExitCode);
        Assert.Contains($"fail  postgres/app newest backup: a restore of the latest backup would be refused: the newest backup {newer} is damaged", result.Stdout, StringComparison.Ordinal);
        Assert.Contains($"hint: name a backup explicitly with --backup {older}", result.Stdout, StringComparison.Ordinal);
        Assert.Contains("postgres/app spool space: ", result.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_malformed_configuration_is_a_failed_check_and_the_checks_needing_it_say_they_were_skipped()
    {
        var directory = Directory.CreateTempSubdirectory("lifeboat-doctor-").FullName;
        try
        {
            var config = Path.Combine(directory, "lifeboat.yaml");
            await File.WriteAllTextAsync(config, "repository:\n  url: [unclosed\n", Ct);

            var result = await Infrastructure.Cli.RunAsync("--config", config, "doctor");

            Assert.Equal(3, result.ExitCode);
            Assert.Contains($"fail  configuration: configuration file {config} is not valid YAML", result.Stdout, StringComparison.Ordinal);
            Assert.Contains("skip  repository: not checked: the configuration did not load", result.Stdout, StringComparison.Ordinal);
            Assert.Contains("skip  sources: not checked: the configuration did not load", result.Stdout, StringComparison.Ordinal);
            Assert.Empty(result.Stderr);
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    [Fact]
    public async Task An_unreadable_configuration_file_is_a_failed_check_and_not_a_crash()
    {
        await using var repo = await TestRepository.CreateLocalAsync();
        var config = repo.WriteConfig();
        File.SetUnixFileMode(config, UnixFileMode.None);

        var result = await Infrastructure.Cli.RunHonouringFilePermissionsAsync("--config", config, "doctor");

        Assert.Equal(3, result.ExitCode);
        Assert.Contains($"fail  configuration: configuration file {config} cannot be read: permission denied. hint: ", result.Stdout, StringComparison.Ordinal);
        Assert.Contains("skip  repository: not checked: the configuration did not load", result.Stdout, StringComparison.Ordinal);
        Assert.Empty(result.Stderr);
    }

    [Fact]
    public async Task A_lock_whose_holder_is_gone_and_an_abandoned_upload_are_warnings_with_hints_and_exit_0()
    {
        await using var database = await TestDatabase.CreateAsync("doctorlock");
        await using var repo = await TestRepository.CreateLocalAsync();
        var config = repo.WriteConfig(database.SourceConfig("app"));
        // A backup on this host whose process was killed: its heartbeat is fresh, but its pid is gone.
        var deadPid = await DeadPidAsync();
        var now = DateTimeOffset.UtcNow.ToString("yyyy-MM-ddTHH:mm:ssZ", System.Globalization.CultureInfo.InvariantCulture);
        Directory.CreateDirectory(Path.Combine(repo.RepositoryPath, "locks"));
        await File.WriteAllTextAsync(Path.Combine(repo.RepositoryPath, "locks", "20260101T000000Z-deadbeef"), $$"""
            {"id":"20260101T000000Z-deadbeef","exclusive":false,"scope":"postgres/app","command":"backup postgres","host":"{{Environment.MachineName}}",
             "pid":{{deadPid}},"createdAt":"{{now}}","heartbeatAt":"{{now}}"}
            """, Ct);
        var upload = Path.Combine(repo.RepositoryPath, ".tmp", "0123456789abcdef");
        Directory.CreateDirectory(Path.GetDirectoryName(upload)!);
        await File.WriteAllBytesAsync(upload, new byte[4096], Ct);
        File.SetLastWriteTimeUtc(upload, DateTime.UtcNow.AddHours(-3));

        var result = await Infrastructure.Cli.RunAsync("--config", config, "doctor");

        Assert.True(result.ExitCode == 0, result.Stdout + result.Stderr);
        Assert.Contains($"warn  locks: stale shared lock 20260101T000000Z-deadbeef on postgres/app held by 'backup postgres' on host {Environment.MachineName}, pid {deadPid}", result.Stdout, StringComparison.Ordinal);
        Assert.Contains("run 'lifeboat unlock' to remove stale locks", result.Stdout, StringComparison.Ordinal);
        Assert.Contains($"warn  uploads: 1 abandoned upload(s) in {Path.GetDirectoryName(upload)} hold 4.0 KiB", result.Stdout, StringComparison.Ordinal);
        Assert.Contains($"hint: delete the files in {Path.GetDirectoryName(upload)} that are older than 1 hour(s)", result.Stdout, StringComparison.Ordinal);
        Assert.Contains("2 warning(s), 0 failed", result.Stdout, StringComparison.Ordinal);
        Assert.True(File.Exists(upload), "doctor must not remove what it reports");
    }

    [Fact]
    public async Task Json_output_is_the_overall_status_and_every_check_with_name_status_detail_and_hint()
    {
        await using var database = await TestDatabase.CreateAsync("doctorjson");
        await using var repo = await TestRepository.CreateLocalAsync();
        var config = repo.WriteConfig(database.SourceConfig("app") with { Port = FreeTcpPort.Pick() });

        var result = await Infrastructure.Cli.RunAsync("--config", config, "doctor", "--json");

        Assert.Equal(3, result.ExitCode);
        using var document = JsonDocument.Parse(result.Stdout);
        Assert.Equal("fail", document.RootElement.GetProperty("status").GetString());
        var checks = document.RootElement.GetProperty("checks").EnumerateArray().ToList();
        Assert.Equal(12, checks.Count);
        foreach (var check in checks)
            Assert.Equal(["name", "status", "detail", "hint"], check.EnumerateObject().Select(p => p.Name));
        var connection = checks.Single(c => c.GetProperty("name").GetString() == "postgres/app connection");
        Assert.Equal("fail", connection.GetProperty("status").GetString());
        Assert.Contains("postgres[].host and port", connection.GetProperty("hint").GetString(), StringComparison.Ordinal);
        var key = checks.Single(c => c.GetProperty("name").GetString() == "key");
        Assert.Equal(JsonValueKind.Null, key.GetProperty("hint").ValueKind);
    }

    private static string BackupIdOf(Infrastructure.Cli.Result backup)
    {
        Assert.True(backup.ExitCode == 0, backup.Stderr);
        return JsonDocument.Parse(backup.Stdout).RootElement.GetProperty("id").GetString()!;
    }

    private static async Task<int> DeadPidAsync()
    {
        using var process = Process.Start(new ProcessStartInfo("true") { UseShellExecute = false })!;
        await process.WaitForExitAsync(Ct);
        return process.Id;
    }
}
