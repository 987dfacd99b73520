using Lifeboat.IO;
using Lifeboat.Postgres;
using Lifeboat.Tests.IO;

namespace Lifeboat.Tests.Postgres;

/// <summary>
/// What a layout refuses because of what else is on the host: a link at a directory's place, a directory of a running
/// server, a directory swapped between the check and the writes; and that the writes after a swap stay in the
/// directory the layout holds.
/// </summary>
public sealed class BaseBackupLayoutGuardTests : IDisposable
{
    private const uint Oid = 16384;
    private readonly string _work = Directory.CreateTempSubdirectory("lifeboat-guard-").FullName;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private string DataDirectory => Path.Combine(_work, "data");

    private string Location => Path.Combine(_work, "server-ts1");

    private string Relocated => Path.Combine(_work, "relocated", "ts1");

    private string Elsewhere => Path.Combine(_work, "etc");

    public BaseBackupLayoutGuardTests() => Directory.CreateDirectory(Elsewhere);

    public void Dispose() => Directory.Delete(_work, recursive: true);

    [Fact]
    public void A_data_directory_that_is_a_symbolic_link_is_refused_before_anything_is_written()
    {
        File.CreateSymbolicLink(DataDirectory, Elsewhere);

        var error = Assert.Throws<LifeboatException>(() => BaseBackupLayout.Plan(Info(), Destination([]), []));

        Assert.Equal($"'{DataDirectory}' is a symbolic link (to '{Elsewhere}'): a restore writes into the directory itself, never through a link at its place; nothing was written", error.Message);
        Assert.Equal("name the directory the link points to", error.Hint);
        Assert.Equal(FailureKind.Usage, error.Kind);
        Assert.Empty(Directory.EnumerateFileSystemEntries(Elsewhere));
    }

    [Fact]
    public void A_tablespace_restored_in_place_at_a_link_is_refused_with_relocating_it_as_the_remedy()
    {
        File.CreateSymbolicLink(Location, Elsewhere);

        var error = Assert.Throws<LifeboatException>(() => BaseBackupLayout.Plan(Info(), Destination([]), []));

        Assert.StartsWith($"'{Location}' is a symbolic link (to '{Elsewhere}')", error.Message, StringComparison.Ordinal);
        Assert.Equal(new Remedy(RemedyAction.RelocateTablespace, $"{Oid}"), error.Remedy);
        Assert.False(Directory.Exists(DataDirectory));
    }

    [Fact]
    public async Task A_data_directory_swapped_for_a_link_mid_restore_gets_the_rest_of_the_restore_and_the_links_target_gets_nothing()
    {
        using var layout = BaseBackupLayout.Plan(Info(), Destination(new() { [Oid] = Relocated }), []);
        layout.PrepareDirectories();
        await layout.ExtractAsync("base.tar", new TarBuilder().File("PG_VERSION", "15\n").Directory("pg_tblspc/").Build(), Ct);
        Directory.Move(DataDirectory, DataDirectory + ".moved");
        File.CreateSymbolicLink(DataDirectory, Elsewhere);

        await layout.ExtractAsync("base.tar", new TarBuilder().Directory("global/").File("global/pg_control", "control").File("postgresql.auto.conf", "").Build(), Ct);
        layout.EnsureTablespaceLinks();
        await layout.WriteRecoverySettingsAsync("restore_command = 'true'\n", Ct);

        Assert.Empty(Directory.EnumerateFileSystemEntries(Elsewhere));
        var moved = DataDirectory + ".moved";
        Assert.Equal("control", File.ReadAllText(Path.Combine(moved, "global", "pg_control")));
        Assert.Equal("restore_command = 'true'\n", File.ReadAllText(Path.Combine(moved, "postgresql.auto.conf")));
        Assert.True(File.Exists(Path.Combine(moved, "recovery.signal")));
        Assert.Equal(Relocated, new FileInfo(Path.Combine(moved, "pg_tblspc", $"{Oid}")).LinkTarget);
    }

    [Fact]
    public void A_data_directory_replaced_between_the_check_and_the_writes_is_refused_and_the_replacement_left_alone()
    {
        Directory.CreateDirectory(DataDirectory);
        File.WriteAllText(Path.Combine(DataDirectory, "PG_VERSION"), "15");
        using var layout = BaseBackupLayout.Plan(Info(), Destination(new() { [Oid] = Relocated }, force: true), []);
        Directory.Move(DataDirectory, DataDirectory + ".moved");
        File.CreateSymbolicLink(DataDirectory, Elsewhere);
        File.WriteAllText(Path.Combine(Elsewhere, "PG_VERSION"), "someone else's");

        var error = Assert.Throws<LifeboatException>(layout.PrepareDirectories);

        Assert.StartsWith($"'{DataDirectory}' is not the directory that was checked (a symbolic link is at its path)", error.Message, StringComparison.Ordinal);
        Assert.True(File.Exists(Path.Combine(Elsewhere, "PG_VERSION")));
        Assert.True(File.Exists(Path.Combine(DataDirectory + ".moved", "PG_VERSION")));
    }

    [Fact]
    public void A_relocated_tablespace_directory_of_a_running_server_is_refused_even_with_force_naming_the_server()
    {
        var theirs = Path.Combine(_work, "other", "ts");
        Directory.CreateDirectory(Path.Combine(theirs, "PG_15_202209061", "5"));
        File.WriteAllText(Path.Combine(theirs, "PG_15_202209061", "5", "16385"), "live rows");
        var running = Running(Path.Combine(_work, "other", "data"), theirs);

        var error = Assert.Throws<LifeboatException>(() => BaseBackupLayout.Plan(Info(), Destination(new() { [Oid] = theirs }, force: true), [running]));

        Assert.Equal(
            $"tablespace {Oid}'s directory '{theirs}' is the tablespace directory of the PostgreSQL server running as process 4242 on the data directory '{running.DataDirectory.Path}'; nothing was written",
            error.Message);
        Assert.Equal("choose a directory apart from every running server's data directory and tablespaces, or stop that server first if its files may go", error.Hint);
        Assert.Equal(FailureKind.Usage, error.Kind);
        Assert.Equal("live rows", File.ReadAllText(Path.Combine(theirs, "PG_15_202209061", "5", "16385")));
    }

    [Fact]
    public void A_directory_inside_or_holding_a_running_servers_directories_is_refused_too()
    {
        var running = Running(Path.Combine(_work, "other", "data"), Path.Combine(_work, "other", "ts"));

        var inside = Assert.Throws<LifeboatException>(() => BaseBackupLayout.Plan(Info(), Destination(new() { [Oid] = Relocated }, dataDirectory: Path.Combine(_work, "other", "data", "copy")), [running]));
        var holding = Assert.Throws<LifeboatException>(() => BaseBackupLayout.Plan(Info(), Destination(new() { [Oid] = Path.Combine(_work, "other") }), [running]));

        Assert.Equal(
            $"the data directory '{_work}/other/data/copy' lies in the data directory '{_work}/other/data' of the PostgreSQL server running as process 4242; nothing was written",
            inside.Message);
        Assert.Equal(
            $"tablespace {Oid}'s directory '{_work}/other' holds the data directory '{_work}/other/data' of the PostgreSQL server running as process 4242; nothing was written",
            holding.Message);
    }

    [Fact]
    public void A_running_server_reached_through_a_link_in_the_path_is_recognised()
    {
        var theirs = Path.Combine(_work, "other", "ts");
        File.CreateSymbolicLink(Path.Combine(_work, "shortcut"), Path.Combine(_work, "other"));
        var running = Running(Path.Combine(_work, "other", "data"), theirs);

        var error = Assert.Throws<LifeboatException>(() => BaseBackupLayout.Plan(Info(), Destination(new() { [Oid] = Path.Combine(_work, "shortcut", "ts", "new") }), [running]));

        Assert.Contains($"lies in the tablespace directory '{theirs}'", error.Message, StringComparison.Ordinal);
    }

    // A server on these directories, made if missing: it is known by what they are, so they must exist.
    private static RunningCluster Running(string dataDirectory, string tablespace)
    {
        Directory.CreateDirectory(dataDirectory);
        Directory.CreateDirectory(tablespace);
        return new RunningCluster(4242, DirectoryLineage.Of(dataDirectory), [DirectoryLineage.Of(tablespace)]);
    }

    private RestoreDestination Destination(Dictionary<uint, string> map, bool force = false, string? dataDirectory = null) =>
        new(dataDirectory ?? DataDirectory, force, map, new DataDirectoryOwner(OsUser.Current, GiveFiles: false, "the caller"));

    private BaseBackupInfo Info() => new()
    {
        Label = "lifeboat test",
        StartPosition = "0/2000028",
        StopPosition = "0/2000100",
        Timeline = 1,
        FirstSegment = "000000010000000000000002",
        LastSegment = "000000010000000000000002",
        SystemId = "7300000000000000000",
        ServerVersion = "15.20 (Debian 15.20-1.pgdg120+1)",
        SegmentSize = 16 * 1024 * 1024,
        Tablespaces = [new("base.tar", null, null, 1), new($"{Oid}.tar", Oid, Location, 1)],
    };
}
