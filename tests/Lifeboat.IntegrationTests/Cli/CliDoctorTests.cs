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
        var backup = await Infrastructure.Cli.RunAsync("--config", config, "backup", "postgres");

        var result = await Infrastructure.Cli.RunAsync("--config", config, "doctor");

        Assert.True(backup.ExitCode == 0, backup.Stderr);
        Assert.True(result.ExitCode == 0, result.Stdout + result.Stderr);
        // With a backup taken, the spool is sized by the archive a restore of it would spool.
        Assert.Matches(@"ok    postgres/app spool space: [\d.]+ \w+ free in .+ for the newest backup's [\d.]+ \w+ archive", result.Stdout);
        foreach (var check in new[] { "configuration", "repository", "key", "locks", "uploads", "postgres/app connection", "postgres/app permissions", "postgres/app pg_dump", "postgres/app pg_restore", "postgres/app spool space" })
            Assert.Contains($"ok    {check}: ", result.Stdout, StringComparison.Ordinal);
        Assert.DoesNotContain("warn  ", result.Stdout, StringComparison.Ordinal);
        Assert.EndsWith("10 checks: 10 ok, 0 warning(s), 0 failed, 0 skipped", result.Stdout.TrimEnd(), StringComparison.Ordinal);
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
    public async Task A_user_that_may_not_read_a_table_fails_the_permissions_check_naming_it_and_one_that_may_not_create_databases_warns()
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
            Assert.Contains($"warn  postgres/app permissions: user '{role}' may read every table, but may not create databases", readable.Stdout, StringComparison.Ordinal);
        }
        finally
        {
            await database.ExecuteAsync($"DROP OWNED BY \"{role}\"");
            await TestDatabase.AdminAsync($"DROP ROLE IF EXISTS \"{role}\"");
        }
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
        Assert.Equal(10, checks.Count);
        foreach (var check in checks)
            Assert.Equal(["name", "status", "detail", "hint"], check.EnumerateObject().Select(p => p.Name));
        var connection = checks.Single(c => c.GetProperty("name").GetString() == "postgres/app connection");
        Assert.Equal("fail", connection.GetProperty("status").GetString());
        Assert.Contains("postgres[].host and port", connection.GetProperty("hint").GetString(), StringComparison.Ordinal);
        var key = checks.Single(c => c.GetProperty("name").GetString() == "key");
        Assert.Equal(JsonValueKind.Null, key.GetProperty("hint").ValueKind);
    }

    private static async Task<int> DeadPidAsync()
    {
        using var process = Process.Start(new ProcessStartInfo("true") { UseShellExecute = false })!;
        await process.WaitForExitAsync(Ct);
        return process.Id;
    }
}
