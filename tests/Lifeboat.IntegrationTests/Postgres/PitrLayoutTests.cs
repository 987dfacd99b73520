using Lifeboat.IO;
using Lifeboat.TestKit.Servers;
using static Lifeboat.IntegrationTests.Postgres.ArchivingCluster;

namespace Lifeboat.IntegrationTests.Postgres;

/// <summary>
/// restore pitr's data directory side on a real cluster with a second tablespace: relocation beside the running
/// original, the refusals that come before anything is written, the files' owner, and a configuration path that
/// PostgreSQL's %-expansion and the shell would each mangle if restore_command were not quoted for both.
/// </summary>
public sealed partial class PitrLayoutTests(TablespaceClusterFixture fixture) : IClassFixture<TablespaceClusterFixture>
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task A_relocated_tablespace_recovers_beside_the_running_original_with_the_same_content_through_an_oddly_named_configuration()
    {
        var config = await OddlyPlacedConfigAsync();
        var dataDir = PrivatePostgres.NewDataDirectoryPath();
        var relocated = Path.Combine(fixture.Work, "relocated", "ts1");

        var restore = await Infrastructure.Cli.RunAsync("--config", config, "restore", "pitr", "--data-dir", dataDir, "--latest", "--tablespace-map", $"{fixture.Oid}={relocated}");

        Assert.True(restore.ExitCode == 0, restore.Stderr);
        Assert.Contains($"tablespace {fixture.Oid} relocated from {fixture.Location} to {relocated} (pg_tblspc/{fixture.Oid} points there)", restore.Stderr, StringComparison.Ordinal);
        Assert.Equal(relocated, new FileInfo(Path.Combine(dataDir, "pg_tblspc", fixture.Oid)).LinkTarget);
        var owner = OsUser.CanGiveFilesAway ? OsUser.Find("postgres")! : OsUser.Current;
        Assert.Contains($"the files belong to {owner.Name} (", restore.Stdout, StringComparison.Ordinal);
        // Given to the server's user by lifeboat itself: the kit hands over only the data directory, not what its links reach.
        foreach (var path in Directory.EnumerateFileSystemEntries(relocated, "*", SearchOption.AllDirectories).Prepend(relocated).Append(Path.Combine(dataDir, "recovery.signal")))
            Assert.Equal(owner.Uid, FileStatus.Of(path)!.Value.Owner);

        await using var recovered = await PrivatePostgres.AdoptAsync(dataDir, Ct);
        await recovered.StartAsync(Ct);
        await WaitUntilAsync(() => recovered.QueryValueAsync("SELECT pg_is_in_recovery()::text", Ct).Result == "false", TimeSpan.FromSeconds(60));

        Assert.Equal(relocated, await recovered.QueryValueAsync($"SELECT pg_tablespace_location({fixture.Oid})", Ct));
        Assert.Equal(await ChecksumAsync(fixture.Cluster), await ChecksumAsync(recovered));
        Assert.Equal(await HomeChecksumAsync(fixture.Cluster), await HomeChecksumAsync(recovered));
        Assert.Equal("25000", await recovered.QueryValueAsync("SELECT count(*) FROM t", Ct));
        Assert.Equal(fixture.Location, await fixture.Cluster.QueryValueAsync($"SELECT pg_tablespace_location({fixture.Oid})", Ct));
    }

    [Fact]
    public async Task A_map_to_a_directory_that_is_not_empty_and_not_a_tablespace_is_refused_and_nothing_is_written()
    {
        var full = Path.Combine(fixture.Work, "full-ts");
        Directory.CreateDirectory(full);
        await File.WriteAllTextAsync(Path.Combine(full, "keep.txt"), "mine", Ct);
        var dataDir = Path.Combine(fixture.Work, "not-written");

        var restore = await Infrastructure.Cli.RunAsync("--config", fixture.Config, "restore", "pitr", "--data-dir", dataDir, "--latest", "--tablespace-map", $"{fixture.Oid}={full}");

        Assert.Equal(2, restore.ExitCode);
        Assert.StartsWith($"lifeboat: error: '{full}' is not empty and is not a PostgreSQL tablespace directory (it holds more than PG_* directories), so even a forced restore would not empty it; nothing was written. hint: ", restore.Stderr, StringComparison.Ordinal);
        Assert.Contains("hint: empty it yourself if its content may go, or choose another directory", restore.Stderr, StringComparison.Ordinal);
        Assert.False(Directory.Exists(dataDir));
        Assert.Equal(["keep.txt"], Directory.GetFileSystemEntries(full).Select(Path.GetFileName));
    }

    [Fact]
    public async Task An_oid_the_backup_does_not_have_is_a_usage_error_naming_the_tablespaces_it_has()
    {
        var dataDir = Path.Combine(fixture.Work, "not-written-either");

        var restore = await Infrastructure.Cli.RunAsync("--config", fixture.Config, "restore", "pitr", "--data-dir", dataDir, "--latest", "--tablespace-map", $"4242={Path.Combine(fixture.Work, "ts")}");

        Assert.Equal(2, restore.ExitCode);
        Assert.Contains($"the base backup has no tablespace 4242: its tablespaces are {fixture.Oid} (at {fixture.Location})", restore.Stderr, StringComparison.Ordinal);
        Assert.False(Directory.Exists(dataDir));
    }

    [Fact]
    public async Task The_running_clusters_own_tablespace_is_never_emptied_even_with_force_and_relocating_it_is_the_hint()
    {
        var before = Directory.GetFileSystemEntries(fixture.Location, "*", SearchOption.AllDirectories).Length;
        var dataDir = Path.Combine(fixture.Work, "in-place");

        var restore = await Infrastructure.Cli.RunAsync("--config", fixture.Config, "restore", "pitr", "--data-dir", dataDir, "--latest", "--force");

        Assert.Equal(2, restore.ExitCode);
        Assert.Contains($"tablespace {fixture.Oid} is restored where it was, in '{fixture.Location}', which is not empty; a tablespace restored in place is never emptied", restore.Stderr, StringComparison.Ordinal);
        Assert.Contains($"restore it elsewhere with --tablespace-map {fixture.Oid}=DIR", restore.Stderr, StringComparison.Ordinal);
        Assert.Equal(before, Directory.GetFileSystemEntries(fixture.Location, "*", SearchOption.AllDirectories).Length);
        Assert.False(Directory.Exists(dataDir));
    }

    private static Task<string?> HomeChecksumAsync(PrivatePostgres cluster) =>
        cluster.QueryValueAsync("SELECT md5(string_agg(id::text || ':' || v, ',' ORDER BY id)) FROM home", Ct);

    /// <summary>
    /// A copy of the configuration under a directory whose name holds a space, a quote, "%f", which PostgreSQL would
    /// replace by the segment's name, and a backslash, which postgresql.conf reads as an escape; the recovering server
    /// reads it through restore_command.
    /// </summary>
    private async Task<string> OddlyPlacedConfigAsync()
    {
        var directory = Path.Combine(fixture.Work, "it's 100%f o\\dd");
        Directory.CreateDirectory(directory);
        var config = Path.Combine(directory, "lifeboat.yaml");
        File.Copy(fixture.Config, config);
        await GiveToServerUserAsync(directory);
        return config;
    }
}
