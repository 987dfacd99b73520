using System.Text.Json;
using Lifeboat.IntegrationTests.Infrastructure;
using Lifeboat.TestKit.Configuration;

namespace Lifeboat.IntegrationTests.Cli;

/// <summary>Changing the secrets that open a repository: add one, switch to it, retire the old one.</summary>
public sealed class CliKeyTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Rotating_an_S3_repository_from_its_key_file_to_a_passphrase_keeps_every_backup_readable_and_locks_out_the_old_file()
    {
        await using var database = await TestDatabase.CreateAsync("keyrotate", "CREATE TABLE t (x int); INSERT INTO t SELECT generate_series(1, 500);");
        await using var repo = await TestRepository.CreateS3Async();
        var oldConfig = repo.WriteConfig(database.SourceConfig("app"));
        Assert.Equal(0, (await Infrastructure.Cli.RunAsync("--config", oldConfig, "backup", "postgres")).ExitCode);
        var newConfig = repo.Config().PassphraseEnv("NEW_REPO_PASSPHRASE").Postgres(database.SourceConfig("app")).WriteTo(Path.Combine(repo.Directory, "new.yaml"));
        var passphrase = new Dictionary<string, string?> { ["NEW_REPO_PASSPHRASE"] = "a long new passphrase for the vault" };
        var oldSlot = CurrentSlot(await Infrastructure.Cli.RunAsync("--config", oldConfig, "key", "list", "--json"));

        var add = await Infrastructure.Cli.RunAsync(passphrase, "--config", oldConfig, "key", "add", "--passphrase-env", "NEW_REPO_PASSPHRASE");
        var remove = await Infrastructure.Cli.RunAsync(passphrase, "--config", newConfig, "key", "remove", oldSlot, "--json");
        var oldKey = await Infrastructure.Cli.RunAsync("--config", oldConfig, "list");
        var check = await Infrastructure.Cli.RunAsync(passphrase, "--config", newConfig, "check", "--read-data");
        var slots = JsonDocument.Parse((await Infrastructure.Cli.RunAsync(passphrase, "--config", newConfig, "key", "list", "--json")).Stdout).RootElement;

        Assert.True(add.ExitCode == 0, add.Stderr);
        Assert.StartsWith("added key slot ", add.Stdout, StringComparison.Ordinal);
        Assert.True(remove.ExitCode == 0, remove.Stderr);
        Assert.Equal(oldSlot, JsonDocument.Parse(remove.Stdout).RootElement.GetProperty("removed").GetString());
        Assert.Equal(1, oldKey.ExitCode);
        Assert.StartsWith("lifeboat: error: the key does not open the repository", oldKey.Stderr, StringComparison.Ordinal);
        Assert.True(check.ExitCode == 0, check.Stdout + check.Stderr);
        Assert.Contains("1 read and re-hashed: no problems found", check.Stdout, StringComparison.Ordinal);
        var only = Assert.Single(slots.EnumerateArray());
        Assert.Equal("passphrase", only.GetProperty("kind").GetString());
        Assert.True(only.GetProperty("current").GetBoolean());
    }

    [Fact]
    public async Task The_slot_the_configured_key_opens_cannot_be_removed_and_stays()
    {
        await using var repo = await TestRepository.CreateLocalAsync();
        var config = repo.WriteConfig(TestDatabase.SourceConfig("app", "unused"));
        var current = CurrentSlot(await Infrastructure.Cli.RunAsync("--config", config, "key", "list", "--json"));

        var remove = await Infrastructure.Cli.RunAsync("--config", config, "key", "remove", current);

        Assert.Equal(2, remove.ExitCode);
        Assert.StartsWith($"lifeboat: error: key slot {current} is the one this configuration's key opens; it was kept", remove.Stderr, StringComparison.Ordinal);
        Assert.Equal(current, CurrentSlot(await Infrastructure.Cli.RunAsync("--config", config, "key", "list", "--json")));
        Assert.True(File.Exists(Path.Combine(repo.RepositoryPath, "keys", current)));
    }

    [Fact]
    public async Task Adding_a_key_that_already_opens_the_repository_adds_nothing()
    {
        await using var repo = await TestRepository.CreateLocalAsync();
        var config = repo.WriteConfig(TestDatabase.SourceConfig("app", "unused"));

        var add = await Infrastructure.Cli.RunAsync("--config", config, "key", "add", "--key-file", repo.KeyFile);

        Assert.Equal(2, add.ExitCode);
        Assert.Contains("already opens key slot", add.Stderr, StringComparison.Ordinal);
        Assert.Single(Directory.GetFiles(Path.Combine(repo.RepositoryPath, "keys")));
    }

    [Fact]
    public async Task A_new_key_file_is_created_private_and_opens_the_repository()
    {
        await using var repo = await TestRepository.CreateLocalAsync();
        var config = repo.WriteConfig(TestDatabase.SourceConfig("app", "unused"));
        var newKey = Path.Combine(repo.Directory, "second.key");

        var add = await Infrastructure.Cli.RunAsync("--config", config, "key", "add", "--key-file", newKey);
        var newConfig = repo.Config().KeyFile(newKey).Postgres(TestDatabase.SourceConfig("app", "unused")).WriteTo(Path.Combine(repo.Directory, "second.yaml"));
        var list = await Infrastructure.Cli.RunAsync("--config", newConfig, "key", "list", "--json");

        Assert.True(add.ExitCode == 0, add.Stderr);
        Assert.Contains($"created key file {newKey} (mode 0600)", add.Stdout, StringComparison.Ordinal);
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(newKey));
        Assert.True(list.ExitCode == 0, list.Stderr);
        Assert.Equal(2, JsonDocument.Parse(list.Stdout).RootElement.GetArrayLength());
    }

    [Fact]
    public async Task Key_add_refuses_a_passphrase_under_12_characters_in_one_line_with_exit_2_and_writes_nothing()
    {
        await using var repo = await TestRepository.CreateLocalAsync();
        var config = repo.WriteConfig(TestDatabase.SourceConfig("app", "unused"));
        var shortPassphrase = new Dictionary<string, string?> { ["NEW_REPO_PASSPHRASE"] = "hunter2-ab" };
        var before = Directory.GetFiles(repo.RepositoryPath, "*", SearchOption.AllDirectories).Order().ToList();

        var add = await Infrastructure.Cli.RunAsync(shortPassphrase, "--config", config, "key", "add", "--passphrase-env", "NEW_REPO_PASSPHRASE");

        Assert.Equal(2, add.ExitCode);
        Assert.Equal(
            "lifeboat: error: the new passphrase is shorter than 12 characters, which is too short to protect the repository; nothing was written. " +
            "hint: choose a longer one; several unrelated words make a passphrase both long and memorable\n",
            add.Stderr);
        Assert.Equal(before, Directory.GetFiles(repo.RepositoryPath, "*", SearchOption.AllDirectories).Order().ToList());
    }

    [Fact]
    public async Task Init_refuses_a_passphrase_under_12_characters_and_creates_nothing()
    {
        var dir = Directory.CreateTempSubdirectory("lifeboat-cli-").FullName;
        var config = new LifeboatConfigBuilder().RepositoryUrl("./repo").PassphraseEnv("NEW_REPO_PASSPHRASE").WriteTo(Path.Combine(dir, "lifeboat.yaml"));

        var init = await Infrastructure.Cli.RunAsync(new Dictionary<string, string?> { ["NEW_REPO_PASSPHRASE"] = "hunter2-ab" }, "--config", config, "init");

        Assert.Equal(2, init.ExitCode);
        Assert.StartsWith("lifeboat: error: the new passphrase is shorter than 12 characters", init.Stderr, StringComparison.Ordinal);
        Assert.False(Directory.Exists(Path.Combine(dir, "repo")));
        Directory.Delete(dir, true);
    }

    [Fact]
    public async Task A_label_given_to_key_add_is_shown_by_key_list_and_its_json_and_older_slots_show_none()
    {
        await using var repo = await TestRepository.CreateLocalAsync();
        var config = repo.WriteConfig(TestDatabase.SourceConfig("app", "unused"));

        var add = await Infrastructure.Cli.RunAsync("--config", config, "key", "add", "--key-file", Path.Combine(repo.Directory, "ops.key"), "--label", "ops-2026");
        var table = await Infrastructure.Cli.RunAsync("--config", config, "key", "list");
        var json = JsonDocument.Parse((await Infrastructure.Cli.RunAsync("--config", config, "key", "list", "--json")).Stdout).RootElement;

        Assert.True(add.ExitCode == 0, add.Stderr);
        Assert.Contains("(keyfile, 'ops-2026')", add.Stdout, StringComparison.Ordinal);
        Assert.True(table.ExitCode == 0, table.Stderr);
        Assert.Contains("LABEL", table.Stdout, StringComparison.Ordinal);
        Assert.Single(table.Stdout.Split('\n'), line => line.Contains("ops-2026", StringComparison.Ordinal));
        var labels = json.EnumerateArray().Select(s => s.GetProperty("label")).ToList();
        Assert.Equal(["ops-2026"], labels.Where(l => l.ValueKind == JsonValueKind.String).Select(l => l.GetString()));
        Assert.Single(labels, l => l.ValueKind == JsonValueKind.Null);
    }

    private static string CurrentSlot(Infrastructure.Cli.Result list)
    {
        Assert.True(list.ExitCode == 0, list.Stderr);
        return JsonDocument.Parse(list.Stdout).RootElement.EnumerateArray().Single(s => s.GetProperty("current").GetBoolean()).GetProperty("id").GetString()!;
    }
}
