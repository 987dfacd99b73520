using Lifeboat.IO;
using Lifeboat.Postgres;
using Lifeboat.TestKit.Servers;

namespace Lifeboat.IntegrationTests.Postgres;

/// <summary>
/// A forced restore never empties, nor writes into, a directory of another PostgreSQL server running on the host: its
/// tablespace directory holds only PG_* directories, just what a forced restore may empty, so only /proc tells it apart.
/// Part of <see cref="PitrLayoutTests"/>, to share its cluster and base backup.
/// </summary>
public sealed partial class PitrLayoutTests
{
    [Fact]
    public async Task A_forced_relocation_onto_another_running_clusters_tablespace_is_refused_before_anything_is_written_and_its_content_stays()
    {
        await using var other = await PrivatePostgres.StartNewAsync(Ct);
        var theirs = await other.CreateServerDirectoryAsync("ts2", Ct);
        await other.ExecuteAsync($"CREATE TABLESPACE ts2 LOCATION '{theirs}'; CREATE TABLE live (id int PRIMARY KEY, v text) TABLESPACE ts2", Ct);
        await other.ExecuteAsync("INSERT INTO live SELECT g, md5(g::text) FROM generate_series(1, 3000) g; CHECKPOINT", Ct);
        var filesBefore = FilesIn(theirs);
        var rowsBefore = await LiveChecksumAsync(other);
        var dataDir = Path.Combine(fixture.Work, "not-written-beside-a-live-tablespace");

        var restore = await Infrastructure.Cli.RunAsync("--config", fixture.Config, "restore", "pitr", "--data-dir", dataDir, "--latest", "--force", "--tablespace-map", $"{fixture.Oid}={theirs}");

        Assert.Equal(2, restore.ExitCode);
        Assert.StartsWith(
            $"lifeboat: error: tablespace {fixture.Oid}'s directory '{theirs}' is the tablespace directory of the PostgreSQL server running as process {PostmasterPid(other)} " +
            $"on the data directory '{RealPath.Of(other.DataDirectory)}'; nothing was written. hint: choose a directory apart from every running server's data directory and tablespaces, or stop that server first",
            restore.Stderr,
            StringComparison.Ordinal);
        Assert.False(Path.Exists(dataDir));
        Assert.Equal(filesBefore, FilesIn(theirs));
        Assert.Equal(rowsBefore, await LiveChecksumAsync(other));
    }

    [Fact]
    public async Task A_forced_restore_into_another_running_clusters_data_directory_is_refused_naming_its_postmaster()
    {
        await using var other = await PrivatePostgres.StartNewAsync(Ct);
        var relocated = Path.Combine(fixture.Work, "not-written-either-ts");

        var restore = await Infrastructure.Cli.RunAsync("--config", fixture.Config, "restore", "pitr", "--data-dir", other.DataDirectory, "--latest", "--force", "--tablespace-map", $"{fixture.Oid}={relocated}");

        Assert.Equal(2, restore.ExitCode);
        Assert.Contains($"the data directory '{other.DataDirectory}' is the data directory of the PostgreSQL server running as process {PostmasterPid(other)}; nothing was written", restore.Stderr, StringComparison.Ordinal);
        Assert.False(Path.Exists(relocated));
        Assert.True(File.Exists(Path.Combine(other.DataDirectory, "PG_VERSION")));
        Assert.True(File.Exists(Path.Combine(other.DataDirectory, "global", "pg_control")));
        Assert.Equal("1", await other.QueryValueAsync("SELECT 1", Ct));
    }

    [Fact]
    public void Running_clusters_are_found_with_their_data_directory_and_tablespaces()
    {
        var found = RunningCluster.FindAll();

        var cluster = Assert.Single(found, c => c.Pid == PostmasterPid(fixture.Cluster));
        Assert.Equal(RealPath.Of(fixture.Cluster.DataDirectory), cluster.DataDirectory.Path);
        Assert.Equal([RealPath.Of(fixture.Location)], cluster.TablespaceDirectories.Select(t => t.Path));
        Assert.True(cluster.DataDirectory.Is(DirectoryLineage.Of(fixture.Cluster.DataDirectory)));
        Assert.True(Assert.Single(cluster.TablespaceDirectories).Is(DirectoryLineage.Of(fixture.Location)));
    }

    private static int PostmasterPid(PrivatePostgres cluster) => int.Parse(File.ReadLines(Path.Combine(cluster.DataDirectory, "postmaster.pid")).First(), System.Globalization.CultureInfo.InvariantCulture);

    private static SortedDictionary<string, long> FilesIn(string directory) =>
        new(Directory.EnumerateFiles(directory, "*", SearchOption.AllDirectories).ToDictionary(path => path, path => new FileInfo(path).Length), StringComparer.Ordinal);

    private static Task<string?> LiveChecksumAsync(PrivatePostgres cluster) =>
        cluster.QueryValueAsync("SELECT md5(string_agg(id::text || ':' || v, ',' ORDER BY id)) FROM live", Ct);
}
