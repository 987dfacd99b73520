using System.Text.Json;
using System.Text.RegularExpressions;
using Lifeboat.Cli.Output;
using Lifeboat.IntegrationTests.Infrastructure;
using Lifeboat.Repository;

namespace Lifeboat.IntegrationTests.Cli;

/// <summary>'show' and the summary of 'list', through the executable, on real backups.</summary>
public sealed class CliShowTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private const string Sql = """
        CREATE TABLE items (id int PRIMARY KEY, name text);
        INSERT INTO items SELECT g, 'item ' || g FROM generate_series(1, 250) g;
        CREATE SCHEMA audit;
        CREATE TABLE audit."Log [old]" (at timestamptz);
        INSERT INTO audit."Log [old]" SELECT now() FROM generate_series(1, 7);
        """;

    [Fact]
    public async Task Show_prints_the_backups_record_its_objects_with_their_hashes_and_each_tables_row_count()
    {
        await using var database = await TestDatabase.CreateAsync("clishow", Sql);
        await using var repo = await TestRepository.CreateLocalAsync();
        var config = repo.WriteConfig(database.SourceConfig("app"));
        var id = await BackupAsync(config, "app");
        var manifest = (await repo.Repository.ListBackupsAsync(null, Ct)).Single();
        var archive = manifest.Objects.Single();

        var show = await Infrastructure.Cli.RunAsync("--config", config, "show", id);

        Assert.True(show.ExitCode == 0, show.Stderr);
        Assert.StartsWith($"backup {id}\n", show.Stdout, StringComparison.Ordinal);
        Assert.Matches(@"\n  source +postgres/app\n", show.Stdout);
        Assert.Matches($@"\n  stored +{Regex.Escape(ByteSize.Format(manifest.StoredBytes))} \({manifest.StoredBytes} bytes\)\n", show.Stdout);
        Assert.Matches($@"\n  {Regex.Escape(archive.Key)} +pg_dump-custom +.* {archive.Sha256}\n", show.Stdout);
        Assert.Matches($@"\n  database +{database.Name}\n", show.Stdout);
        Assert.Matches(@"\n  server version +\d+", show.Stdout);
        Assert.Matches(@"\n  plpgsql +1\.0 +pg_catalog\n", show.Stdout);
        Assert.Contains("tables (2, 257 rows)", show.Stdout, StringComparison.Ordinal);
        Assert.Matches(@"\n  audit\.Log \[old\] +7 ", show.Stdout);
        Assert.Matches(@"\n  public\.items +250 ", show.Stdout);
        Assert.Equal("", show.Stderr);
    }

    [Fact]
    public async Task Show_json_prints_the_whole_manifest_with_the_sources_details()
    {
        await using var database = await TestDatabase.CreateAsync("clishowjson", Sql);
        await using var repo = await TestRepository.CreateLocalAsync();
        var config = repo.WriteConfig(database.SourceConfig("app"));
        var id = await BackupAsync(config, "app");
        var archive = (await repo.Repository.ListBackupsAsync(null, Ct)).Single().Objects.Single();

        var show = await Infrastructure.Cli.RunAsync("--config", config, "show", id, "--json");

        Assert.True(show.ExitCode == 0, show.Stderr);
        using var json = JsonDocument.Parse(show.Stdout);
        var root = json.RootElement;
        Assert.Equal(id, root.GetProperty("id").GetString());
        Assert.Equal("app", root.GetProperty("name").GetString());
        Assert.False(string.IsNullOrEmpty(root.GetProperty("host").GetString()));
        var stored = Assert.Single(root.GetProperty("objects").EnumerateArray());
        Assert.Equal(archive.Key, stored.GetProperty("key").GetString());
        Assert.Equal(archive.Sha256, stored.GetProperty("sha256").GetString());
        var details = root.GetProperty("details");
        Assert.Equal(database.Name, details.GetProperty("database").GetString());
        Assert.False(string.IsNullOrEmpty(details.GetProperty("serverVersion").GetString()));
        var items = details.GetProperty("tables").EnumerateArray().Single(t => t.GetProperty("table").GetString() == "items");
        Assert.Equal(250, items.GetProperty("rows").GetInt64());
    }

    [Fact]
    public async Task Show_latest_is_the_newest_backup_of_all_or_of_the_source_named()
    {
        await using var app = await TestDatabase.CreateAsync("clishowapp", Sql);
        await using var crm = await TestDatabase.CreateAsync("clishowcrm", "CREATE TABLE t (x int);");
        await using var repo = await TestRepository.CreateLocalAsync();
        var config = repo.WriteConfig(app.SourceConfig("app"), crm.SourceConfig("crm"));
        await BackupAsync(config, "app");
        var newestApp = await BackupAsync(config, "app");
        var newestCrm = await BackupAsync(config, "crm");

        var latest = await Infrastructure.Cli.RunAsync("--config", config, "show", "latest");
        var latestApp = await Infrastructure.Cli.RunAsync("--config", config, "show", "latest", "--source", "postgres", "--name", "app");
        var latestAppJson = await Infrastructure.Cli.RunAsync("--config", config, "show", "latest", "--source", "postgres", "--name", "app", "--json");

        Assert.True(latest.ExitCode == 0, latest.Stderr);
        Assert.StartsWith($"backup {newestCrm}\n", latest.Stdout, StringComparison.Ordinal);
        Assert.True(latestApp.ExitCode == 0, latestApp.Stderr);
        Assert.StartsWith($"backup {newestApp}\n", latestApp.Stdout, StringComparison.Ordinal);
        Assert.Equal(newestApp, JsonDocument.Parse(latestAppJson.Stdout).RootElement.GetProperty("id").GetString());
    }

    [Fact]
    public async Task Show_takes_no_lock_so_a_stale_exclusive_lock_does_not_stop_it_and_none_is_left_behind()
    {
        await using var database = await TestDatabase.CreateAsync("clishowlock", Sql);
        await using var repo = await TestRepository.CreateLocalAsync();
        var config = repo.WriteConfig(database.SourceConfig("app"));
        var id = await BackupAsync(config, "app");
        // Another host's exclusive lock on the whole repository, as a killed prune or migrate would leave it.
        var locks = Path.Combine(repo.RepositoryPath, "locks");
        Directory.CreateDirectory(locks);
        await File.WriteAllTextAsync(Path.Combine(locks, "20260101T000000Z-deadbeef"), """
            {"id":"20260101T000000Z-deadbeef","exclusive":true,"command":"prune","host":"old-host","pid":4242,
             "createdAt":"2026-01-01T00:00:00Z","heartbeatAt":"2026-01-01T00:00:00Z"}
            """, Ct);

        var show = await Infrastructure.Cli.RunAsync("--config", config, "show", id);

        Assert.True(show.ExitCode == 0, show.Stderr);
        Assert.StartsWith($"backup {id}\n", show.Stdout, StringComparison.Ordinal);
        Assert.Equal(["20260101T000000Z-deadbeef"], Directory.GetFiles(locks).Select(Path.GetFileName));
    }

    [Fact]
    public async Task Show_help_says_an_id_may_be_given_by_a_unique_prefix_or_as_latest()
    {
        var help = await Infrastructure.Cli.RunAsync("show", "--help");

        Assert.Equal(0, help.ExitCode);
        Assert.Contains("Backup id (whole, a unique prefix, or a unique prefix of its last 8 characters), or 'latest'", help.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Show_of_an_unknown_id_or_source_type_is_one_error_line_and_prints_nothing()
    {
        await using var database = await TestDatabase.CreateAsync("clishownone", Sql);
        await using var repo = await TestRepository.CreateLocalAsync();
        var config = repo.WriteConfig(database.SourceConfig("app"));
        var id = await BackupAsync(config, "app");

        var unknownId = await Infrastructure.Cli.RunAsync("--config", config, "show", "2026-01-01T000000Z-deadbeef");
        var unknownSource = await Infrastructure.Cli.RunAsync("--config", config, "show", id, "--source", "postgress");
        var otherName = await Infrastructure.Cli.RunAsync("--config", config, "show", id, "--source", "postgres", "--name", "crm");

        Assert.Equal(1, unknownId.ExitCode);
        Assert.Equal("", unknownId.Stdout);
        var line = Assert.Single(unknownId.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.StartsWith("lifeboat: error: there is no backup with id '2026-01-01T000000Z-deadbeef' in ", line, StringComparison.Ordinal);
        Assert.Contains("lifeboat list", line, StringComparison.Ordinal);
        Assert.Equal(2, unknownSource.ExitCode);
        Assert.Contains("did you mean 'postgres'?", unknownSource.Stderr, StringComparison.Ordinal);
        Assert.Equal(1, otherName.ExitCode);
        Assert.Contains("there is no postgres backup of 'crm' with id", otherName.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Show_of_damaged_details_prints_the_common_part_says_what_is_wrong_and_exits_3()
    {
        await using var database = await TestDatabase.CreateAsync("clishowbad", Sql);
        await using var repo = await TestRepository.CreateLocalAsync();
        var config = repo.WriteConfig(database.SourceConfig("app"));
        var id = await BackupAsync(config, "app");
        var manifest = (await repo.Repository.ListBackupsAsync(null, Ct)).Single();
        await repo.Repository.CommitManifestAsync(manifest with { Details = JsonDocument.Parse("""{"database":"app"}""").RootElement.Clone() }, Ct);

        var show = await Infrastructure.Cli.RunAsync("--config", config, "show", id);
        var json = await Infrastructure.Cli.RunAsync("--config", config, "show", id, "--json");

        Assert.Equal(3, show.ExitCode);
        Assert.StartsWith($"backup {id}\n", show.Stdout, StringComparison.Ordinal);
        Assert.Contains(manifest.Objects.Single().Sha256, show.Stdout, StringComparison.Ordinal);
        Assert.Contains($"postgres details\n  cannot be read: the postgres details in the manifest of backup {id} are not valid", show.Stdout, StringComparison.Ordinal);
        var line = Assert.Single(show.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.StartsWith($"lifeboat: error: the postgres details in the manifest of backup {id} are not valid", line, StringComparison.Ordinal);
        Assert.Equal(3, json.ExitCode);
        Assert.Equal("app", JsonDocument.Parse(json.Stdout).RootElement.GetProperty("details").GetProperty("database").GetString());
    }

    [Fact]
    public async Task Show_of_a_backup_of_a_source_this_build_does_not_know_prints_its_details_as_recorded()
    {
        await using var repo = await TestRepository.CreateLocalAsync();
        var config = repo.WriteConfig();
        var id = BackupId.New(DateTimeOffset.UtcNow).Value;
        await repo.Repository.CommitManifestAsync(new BackupManifest
        {
            Id = id,
            Source = "vault",
            Name = "secrets",
            Kind = "snapshot",
            StartedAt = DateTimeOffset.UtcNow,
            FinishedAt = DateTimeOffset.UtcNow,
            Objects = [],
            Details = JsonDocument.Parse("""{"sealed":false,"keys":3}""").RootElement.Clone(),
        }, Ct);

        var show = await Infrastructure.Cli.RunAsync("--config", config, "show", id);

        Assert.True(show.ExitCode == 0, show.Stderr);
        Assert.Matches(@"\n  source +vault/secrets\n", show.Stdout);
        Assert.Contains("does not know vault snapshot backups; they record:", show.Stdout, StringComparison.Ordinal);
        Assert.Contains("\"keys\": 3", show.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task List_shows_each_backups_age_and_ends_with_a_line_per_source_counting_its_backups_and_stored_bytes()
    {
        await using var app = await TestDatabase.CreateAsync("clilistapp", Sql);
        await using var crm = await TestDatabase.CreateAsync("clilistcrm", "CREATE TABLE t (x int);");
        await using var repo = await TestRepository.CreateLocalAsync();
        var config = repo.WriteConfig(app.SourceConfig("app"), crm.SourceConfig("crm"));
        await BackupAsync(config, "app");
        await BackupAsync(config, "app");
        await BackupAsync(config, "crm");
        var manifests = await repo.Repository.ListBackupsAsync(null, Ct);
        var appStored = manifests.Where(m => m.Name == "app").Sum(m => m.StoredBytes);

        var list = await Infrastructure.Cli.RunAsync("--config", config, "list");
        var json = await Infrastructure.Cli.RunAsync("--config", config, "list", "--json");

        Assert.True(list.ExitCode == 0, list.Stderr);
        Assert.Matches(@"STARTED \(UTC\) +AGE +DURATION", list.Stdout);
        foreach (var manifest in manifests)
            Assert.Matches($@"{manifest.Id} +postgres/{manifest.Name} +dump +[\d-]+ [\d:]+ +\d+[smh] ", list.Stdout);
        Assert.Matches(@"SOURCE +BACKUPS +OLDEST \(UTC\) +NEWEST \(UTC\) +STORED", list.Stdout);
        Assert.Matches($@"postgres/app +2 +[\d-]+ [\d:]+ \(\d+[smh]\) +[\d-]+ [\d:]+ \(\d+[smh]\) +{Regex.Escape(ByteSize.Format(appStored))}", list.Stdout);
        Assert.Matches(@"postgres/crm +1 ", list.Stdout);
        // --json stays the array of backups it always was.
        Assert.Equal(3, JsonDocument.Parse(json.Stdout).RootElement.GetArrayLength());
    }

    private static async Task<string> BackupAsync(string config, string name)
    {
        var backup = await Infrastructure.Cli.RunAsync("--config", config, "backup", "postgres", "--name", name, "--json");
        Assert.True(backup.ExitCode == 0, backup.Stderr);
        return JsonDocument.Parse(backup.Stdout).RootElement.GetProperty("id").GetString()!;
    }
}
