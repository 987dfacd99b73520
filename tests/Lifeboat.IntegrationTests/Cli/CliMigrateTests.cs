using System.Security.Cryptography;
using System.Text.Json;
using Lifeboat.IntegrationTests.Infrastructure;
using Lifeboat.TestKit.Configuration;
using Npgsql;

namespace Lifeboat.IntegrationTests.Cli;

/// <summary>A repository written by the Lifeboat before the catalog (layout 1, TestData/repository-layout-v1) is refused in one line, then migrated and restored.</summary>
public sealed class CliMigrateTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("lifeboat-migrate-").FullName;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private string RepositoryPath => Path.Combine(_dir, "repo");

    public CliMigrateTests() => CopyDirectory(Path.Combine(AppContext.BaseDirectory, "TestData", "repository-layout-v1"), _dir);

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public async Task A_layout_1_repository_is_refused_in_one_line_naming_its_version_and_what_to_do()
    {
        var config = WriteConfig("layout_v1");

        var list = await Infrastructure.Cli.RunAsync("--config", config, "list");

        Assert.Equal(2, list.ExitCode);
        Assert.Equal(
            $"lifeboat: error: the repository at file://{RepositoryPath} has layout version 1; this Lifeboat reads layouts 2 and 3. hint: run 'lifeboat migrate' once: it moves the manifests into their own folder and rewrites no backup data (docs/FORMAT.md §4)",
            list.Stderr.Trim());
    }

    [Fact]
    public async Task Migrate_moves_the_manifests_rewrites_no_data_and_the_backups_restore_afterwards()
    {
        await using var database = await TestDatabase.CreateAsync("migrated");
        var target = database.Companion("restored");
        var config = WriteConfig(database.Name);
        var dataBefore = DataObjectHashes();

        var migrate = await Infrastructure.Cli.RunAsync("--config", config, "migrate");
        var again = await Infrastructure.Cli.RunAsync("--config", config, "migrate");
        var list = await Infrastructure.Cli.RunAsync("--config", config, "list", "--json");
        var restore = await Infrastructure.Cli.RunAsync("--config", config, "restore", "postgres", "--backup", "latest", "--target-db", target);

        Assert.True(migrate.ExitCode == 0, migrate.Stderr);
        Assert.EndsWith("from layout version 1 to 3: 2 backups moved into the catalog", migrate.Stdout.Trim(), StringComparison.Ordinal);
        Assert.EndsWith("already has layout version 3; nothing to do", again.Stdout.Trim(), StringComparison.Ordinal);
        Assert.True(list.ExitCode == 0, list.Stderr);
        var backups = JsonDocument.Parse(list.Stdout).RootElement.EnumerateArray().ToList();
        Assert.Equal(["2026-12-03T075206Z-473a53ab", "2026-12-03T075207Z-95b64968"], backups.Select(b => b.GetProperty("id").GetString()));
        Assert.All(backups, b => Assert.Equal(("layout_v1", 2), (b.GetProperty("database").GetString(), b.GetProperty("tables").GetInt32())));
        Assert.True(restore.ExitCode == 0, restore.Stderr);
        Assert.Equal((25L, 1L), (await CountAsync(target, "projects"), await CountAsync(target, "notes")));
        Assert.Equal(dataBefore, DataObjectHashes());
        Assert.Empty(Directory.GetFiles(Path.Combine(RepositoryPath, "postgres"), "manifest", SearchOption.AllDirectories));
    }

    [Fact]
    public async Task A_damaged_layout_1_manifest_stays_visible_as_damaged_and_latest_does_not_pass_over_it()
    {
        var newest = Path.Combine(RepositoryPath, "postgres", "layout_v1", "dumps", "2026-12-03T075207Z-95b64968", "manifest");
        var bytes = File.ReadAllBytes(newest);
        bytes[bytes.Length / 2] ^= 0x20;
        File.WriteAllBytes(newest, bytes);
        var config = WriteConfig("layout_v1");

        var migrate = await Infrastructure.Cli.RunAsync("--config", config, "migrate");
        var list = await Infrastructure.Cli.RunAsync("--config", config, "list", "--json");
        var restore = await Infrastructure.Cli.RunAsync("--config", config, "restore", "postgres", "--backup", "latest", "--target-db", "never_created");

        Assert.Equal(3, migrate.ExitCode);
        Assert.Contains("lifeboat: problem: postgres/layout_v1/dumps/2026-12-03T075207Z-95b64968/manifest:", migrate.Stderr, StringComparison.Ordinal);
        Assert.Equal(["2026-12-03T075206Z-473a53ab"], JsonDocument.Parse(list.Stdout).RootElement.EnumerateArray().Select(b => b.GetProperty("id").GetString()));
        Assert.Contains("manifests/postgres/layout_v1/dump/2026-12-03T075207Z-95b64968 is not a valid manifest", list.Stderr, StringComparison.Ordinal);
        Assert.Equal(1, restore.ExitCode);
        Assert.Contains("the newest backup 2026-12-03T075207Z-95b64968 is damaged", restore.Stderr, StringComparison.Ordinal);
        Assert.False(await TestDatabase.ExistsAsync("never_created"));
    }

    [Fact]
    public async Task Migrate_on_a_current_repository_still_moves_a_manifest_left_in_layout_1s_place()
    {
        var config = WriteConfig("layout_v1");
        var leftOver = Path.Combine(RepositoryPath, "postgres", "layout_v1", "dumps", "2026-12-03T075206Z-473a53ab", "manifest");
        var copy = File.ReadAllBytes(leftOver);
        Assert.Equal(0, (await Infrastructure.Cli.RunAsync("--config", config, "migrate")).ExitCode);
        File.WriteAllBytes(leftOver, copy);

        var again = await Infrastructure.Cli.RunAsync("--config", config, "migrate");

        Assert.True(again.ExitCode == 0, again.Stderr);
        Assert.EndsWith("already has layout version 3; 1 manifests left in layout 1's place moved into the catalog", again.Stdout.Trim(), StringComparison.Ordinal);
        Assert.False(File.Exists(leftOver));
    }

    // The source keeps the name the fixture was written with; the database it names matters only to a backup.
    private string WriteConfig(string database) =>
        new LifeboatConfigBuilder()
            .RepositoryUrl(RepositoryPath)
            .KeyFile(Path.Combine(_dir, "repo.key"))
            .Postgres(TestDatabase.SourceConfig("layout_v1", database))
            .WriteTo(Path.Combine(_dir, "lifeboat.yaml"));

    private Dictionary<string, string> DataObjectHashes() =>
        Directory.GetFiles(Path.Combine(RepositoryPath, "postgres"), "dump", SearchOption.AllDirectories)
            .ToDictionary(f => Path.GetRelativePath(RepositoryPath, f), f => Convert.ToHexStringLower(SHA256.HashData(File.ReadAllBytes(f))));

    private static async Task<long> CountAsync(string database, string table)
    {
        await using var connection = new NpgsqlConnection(TestDatabase.ConnectionString(database));
        await connection.OpenAsync(Ct);
        await using var command = new NpgsqlCommand($"SELECT count(*) FROM {table}", connection);
        return (long)(await command.ExecuteScalarAsync(Ct))!;
    }

    private static void CopyDirectory(string from, string to)
    {
        foreach (var file in Directory.EnumerateFiles(from, "*", SearchOption.AllDirectories))
        {
            var target = Path.Combine(to, Path.GetRelativePath(from, file));
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            File.Copy(file, target);
        }
    }
}
