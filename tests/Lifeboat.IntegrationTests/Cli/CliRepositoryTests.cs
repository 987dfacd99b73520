using System.Text.Json;
using Lifeboat.IntegrationTests.Infrastructure;
using Lifeboat.IntegrationTests.Postgres;
using Lifeboat.TestKit.Configuration;

namespace Lifeboat.IntegrationTests.Cli;

public sealed class CliRepositoryTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task A_passphrase_repository_works_end_to_end_and_a_wrong_passphrase_opens_nothing()
    {
        await using var database = await TestDatabase.CreateAsync("passphrase", "CREATE TABLE t (x int); INSERT INTO t VALUES (42);");
        var dir = Directory.CreateTempSubdirectory("lifeboat-pass-").FullName;
        var config = new LifeboatConfigBuilder()
            .RepositoryUrl("./repo")
            .PassphraseEnv("TEST_REPO_PASSPHRASE")
            .Postgres(database.SourceConfig("app"))
            .WriteTo(Path.Combine(dir, "lifeboat.yaml"));
        var right = new Dictionary<string, string?> { ["TEST_REPO_PASSPHRASE"] = "correct horse battery staple" };
        var wrong = new Dictionary<string, string?> { ["TEST_REPO_PASSPHRASE"] = "correct horse battery stapler" };

        var init = await Infrastructure.Cli.RunAsync(right, "--config", config, "init");
        var backup = await Infrastructure.Cli.RunAsync(right, "--config", config, "backup", "postgres", "--json");
        var denied = await Infrastructure.Cli.RunAsync(wrong, "--config", config, "list");
        var restore = await Infrastructure.Cli.RunAsync(right, "--config", config, "restore", "postgres", "--target-db", database.Companion("restored"));

        Assert.True(init.ExitCode == 0, init.Stderr);
        Assert.True(backup.ExitCode == 0, backup.Stderr);
        Assert.Equal("postgres", JsonDocument.Parse(backup.Stdout).RootElement.GetProperty("source").GetString());
        Assert.Equal(1, denied.ExitCode);
        Assert.Contains("the key does not open the repository", denied.Stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("stapler", denied.Stderr, StringComparison.Ordinal);
        Assert.True(restore.ExitCode == 0, restore.Stderr);
        Directory.Delete(dir, recursive: true);
    }

    [Fact]
    public async Task A_partial_read_check_of_a_small_repository_still_reads_and_catches_a_damaged_object()
    {
        await using var database = await TestDatabase.CreateAsync("partialcheck", "CREATE TABLE t (x int); INSERT INTO t SELECT generate_series(1, 1000);");
        await using var repo = await TestRepository.CreateLocalAsync();
        var config = repo.WriteConfig(database.SourceConfig("app"));
        Assert.Equal(0, (await Infrastructure.Cli.RunAsync("--config", config, "backup", "postgres")).ExitCode);
        var archive = (await repo.Repository.ListBackupsAsync(null, Ct)).Single().Objects.Single();
        PostgresRestoreSafetyTests.FlipByte(Path.Combine(repo.RepositoryPath, archive.Key), 100);

        var check = await Infrastructure.Cli.RunAsync("--config", config, "check", "--read-data=10", "--json");

        Assert.Equal(3, check.ExitCode);
        using var report = JsonDocument.Parse(check.Stdout);
        Assert.Equal(1, report.RootElement.GetProperty("objectsRead").GetInt32());
        Assert.Contains(archive.Key, report.RootElement.GetProperty("problems")[0].GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Check_without_read_data_catches_a_missing_object_and_names_it()
    {
        await using var database = await TestDatabase.CreateAsync("missingobj", "CREATE TABLE t (x int);");
        await using var repo = await TestRepository.CreateLocalAsync();
        var config = repo.WriteConfig(database.SourceConfig("app"));
        Assert.Equal(0, (await Infrastructure.Cli.RunAsync("--config", config, "backup", "postgres")).ExitCode);
        var archive = (await repo.Repository.ListBackupsAsync(null, Ct)).Single().Objects.Single();
        File.Delete(Path.Combine(repo.RepositoryPath, archive.Key));

        var check = await Infrastructure.Cli.RunAsync("--config", config, "check");

        Assert.Equal(3, check.ExitCode);
        Assert.Contains($"{archive.Key}: missing", check.Stderr, StringComparison.Ordinal);
    }
}
