using Lifeboat.IO;
using Lifeboat.Postgres;
using Lifeboat.Tests.IO;

namespace Lifeboat.Tests.Postgres;

/// <summary>
/// What the review of the layout found: a link above the data directory, a link where pg_tblspc or a recovery file
/// belongs, a refusal after directories were already taken, and a running server reached through a bind mount.
/// </summary>
public sealed class BaseBackupLayoutHardeningTests : IDisposable
{
    private const uint Oid = 16384;
    private static readonly UnixFileMode Usual = (UnixFileMode)0b_111_101_101;
    private readonly string _work = Directory.CreateTempSubdirectory("lifeboat-hardening-").FullName;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private string Home => Path.Combine(_work, "postgresql");

    private string DataDirectory => Path.Combine(Home, "15", "main");

    private string Location => Path.Combine(_work, "server-ts1");

    private string Relocated => Path.Combine(_work, "relocated", "ts1");

    private string Elsewhere => Path.Combine(_work, "dist-packages");

    public BaseBackupLayoutHardeningTests()
    {
        Directory.CreateDirectory(Path.Combine(Home, "15"));
        Directory.CreateDirectory(Elsewhere);
    }

    public void Dispose() => Directory.Delete(_work, recursive: true);

    [Fact]
    public void As_root_a_parent_swapped_for_another_users_link_after_the_check_gets_nothing_made_or_written_where_it_points()
    {
        using var layout = BaseBackupLayout.Plan(Info(), Destination(new() { [Oid] = Relocated }), []);
        Directory.Move(Path.Combine(Home, "15"), Path.Combine(Home, "15.moved"));
        File.CreateSymbolicLink(Path.Combine(Home, "15"), Elsewhere);
        if (!OsUser.CanGiveFilesAway)
        {
            // Without root a link is followed as the kernel would: the directory is made where it leads, and said so.
            layout.PrepareDirectories();
            Assert.Equal(Path.Combine(Elsewhere, "main"), layout.ResolvedDataDirectory);
            return;
        }

        TestOwnership.GiveTo(Home, Nobody);
        TestOwnership.GiveTo(Path.Combine(Home, "15"), Nobody);

        var error = Assert.Throws<LifeboatException>(layout.PrepareDirectories);

        Assert.StartsWith($"'{DataDirectory}' cannot be reached safely: its component '{Home}/15' is a symbolic link (to '{Elsewhere}')", error.Message, StringComparison.Ordinal);
        Assert.Empty(Directory.EnumerateFileSystemEntries(Elsewhere));
        Assert.False(Directory.Exists(Relocated));
    }

    [Fact]
    public void The_data_directory_reached_through_a_link_root_alone_controls_is_known_by_its_resolved_path()
    {
        File.CreateSymbolicLink(Path.Combine(_work, "var-lib"), Home);
        using var layout = BaseBackupLayout.Plan(Info(), Destination(new() { [Oid] = Relocated }, dataDirectory: Path.Combine(_work, "var-lib", "15", "main")), []);

        layout.PrepareDirectories();

        Assert.Equal(DataDirectory, layout.ResolvedDataDirectory);
        Assert.True(Directory.Exists(DataDirectory));
    }

    [Fact]
    public async Task A_main_archive_with_pg_tblspc_as_a_link_is_refused_and_nothing_is_linked_where_it_points()
    {
        using var layout = BaseBackupLayout.Plan(Info(), Destination(new() { [Oid] = Relocated }), []);
        layout.PrepareDirectories();

        var error = await Assert.ThrowsAsync<LifeboatException>(() => layout.ExtractAsync("base.tar", new TarBuilder().File("PG_VERSION", "15\n").Link("pg_tblspc", Elsewhere).Build(), Ct));

        Assert.Equal($"the base backup's main archive holds 'pg_tblspc' as a symbolic link (to '{Elsewhere}'), where the directory of tablespace links belongs", error.Message);
        Assert.Equal("the backup is damaged or was tampered with: restore from another backup", error.Hint);
        Assert.False(Path.Exists(Path.Combine(DataDirectory, "pg_tblspc")));
        Assert.Empty(Directory.EnumerateFileSystemEntries(Elsewhere));
    }

    [Fact]
    public async Task Tablespace_links_are_made_in_pg_tblspc_itself_never_through_a_link_at_its_place()
    {
        using var layout = BaseBackupLayout.Plan(Info(), Destination(new() { [Oid] = Relocated }), []);
        layout.PrepareDirectories();
        await layout.ExtractAsync("base.tar", new TarBuilder().File("PG_VERSION", "15\n").Build(), Ct);
        File.CreateSymbolicLink(Path.Combine(DataDirectory, "pg_tblspc"), Elsewhere);

        var error = Assert.Throws<LifeboatException>(layout.EnsureTablespaceLinks);

        Assert.Equal($"'{DataDirectory}/pg_tblspc' is a symbolic link where the backup holds a directory; it was not followed and nothing was written through it", error.Message);
        Assert.Empty(Directory.EnumerateFileSystemEntries(Elsewhere));
    }

    [Fact]
    public async Task A_main_archive_without_pg_tblspc_gets_one_with_the_links_in_it()
    {
        using var layout = BaseBackupLayout.Plan(Info(), Destination(new() { [Oid] = Relocated }), []);
        layout.PrepareDirectories();
        await layout.ExtractAsync("base.tar", new TarBuilder().File("PG_VERSION", "15\n").Build(), Ct);

        layout.EnsureTablespaceLinks();

        Assert.Equal(Relocated, new FileInfo(Path.Combine(DataDirectory, "pg_tblspc", $"{Oid}")).LinkTarget);
    }

    [Fact]
    public async Task A_link_where_postgresql_auto_conf_belongs_is_a_damaged_backup_with_another_backup_as_the_hint()
    {
        File.WriteAllText(Path.Combine(Elsewhere, "passwd"), "root:x:0:0");
        using var layout = BaseBackupLayout.Plan(Info(), Destination(new() { [Oid] = Relocated }), []);
        layout.PrepareDirectories();
        await layout.ExtractAsync("base.tar", new TarBuilder().File("PG_VERSION", "15\n").Link("postgresql.auto.conf", Path.Combine(Elsewhere, "passwd")).Build(), Ct);

        var error = await Assert.ThrowsAsync<LifeboatException>(() => layout.WriteRecoverySettingsAsync("restore_command = 'true'\n", Ct));

        Assert.Equal($"'{DataDirectory}/postgresql.auto.conf' is a symbolic link where the backup holds a file; it was not followed and nothing was written through it", error.Message);
        Assert.Equal("the backup is damaged or was tampered with: restore from another backup", error.Hint);
        Assert.Equal(FailureKind.Failed, error.Kind);
        Assert.Equal("root:x:0:0", File.ReadAllText(Path.Combine(Elsewhere, "passwd")));
    }

    [Fact]
    public void A_directory_filled_after_the_check_is_refused_before_any_directory_is_taken_or_made()
    {
        Directory.CreateDirectory(DataDirectory);
        Directory.CreateDirectory(Relocated);
        File.SetUnixFileMode(DataDirectory, Usual);
        File.SetUnixFileMode(Relocated, Usual);
        using var layout = BaseBackupLayout.Plan(Info(), Destination(new() { [Oid] = Relocated }), []);
        File.WriteAllText(Path.Combine(Relocated, "late"), "");

        var error = Assert.Throws<LifeboatException>(layout.PrepareDirectories);

        Assert.Equal($"'{Relocated}' is no longer empty: something was put in it after it was checked; nothing was written", error.Message);
        Assert.Equal(Usual, File.GetUnixFileMode(DataDirectory));
        Assert.Equal(Usual, File.GetUnixFileMode(Relocated));
    }

    [Fact]
    public void A_running_servers_data_directory_reached_through_a_bind_mount_is_recognised()
    {
        var theirs = Path.Combine(_work, "other", "data");
        var bound = Path.Combine(_work, "bound");
        Directory.CreateDirectory(theirs);
        Directory.CreateDirectory(bound);
        var running = new RunningCluster(4242, DirectoryLineage.Of(theirs), []);
        if (!OsUser.CanGiveFilesAway)
        {
            // Without root nothing can be mounted: a second spelling of the path stands in for it.
            var spelled = Assert.Throws<LifeboatException>(() => BaseBackupLayout.Plan(Info(), Destination(new() { [Oid] = Relocated }, dataDirectory: Path.Combine(_work, "other", ".", "data")), [running]));
            Assert.Contains("is the data directory of the PostgreSQL server running as process 4242", spelled.Message, StringComparison.Ordinal);
            return;
        }

        using var mount = MountedTmpfs.Bind(Path.Combine(_work, "other"), bound);

        var same = Assert.Throws<LifeboatException>(() => BaseBackupLayout.Plan(Info(), Destination(new() { [Oid] = Relocated }, dataDirectory: Path.Combine(bound, "data")), [running]));
        var inside = Assert.Throws<LifeboatException>(() => BaseBackupLayout.Plan(Info(), Destination(new() { [Oid] = Relocated }, dataDirectory: Path.Combine(bound, "data", "copy")), [running]));

        Assert.Equal($"the data directory '{bound}/data' is the data directory of the PostgreSQL server running as process 4242; nothing was written", same.Message);
        Assert.Equal($"the data directory '{bound}/data/copy' lies in the data directory '{theirs}' of the PostgreSQL server running as process 4242; nothing was written", inside.Message);
    }

    private static OsUser Nobody => OsUser.Find("nobody")!;

    private RestoreDestination Destination(Dictionary<uint, string> map, string? dataDirectory = null) =>
        new(dataDirectory ?? DataDirectory, false, map, new DataDirectoryOwner(OsUser.Current, GiveFiles: false, "the caller"));

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
