using Lifeboat.IO;
using Lifeboat.Postgres;
using Lifeboat.Tests.IO;

namespace Lifeboat.Tests.Postgres;

/// <summary>Where a base backup's archives go, what is checked before anything is written, and what is added after.</summary>
public sealed class BaseBackupLayoutTests : IDisposable
{
    private const uint Oid = 16384;
    private readonly string _work = Directory.CreateTempSubdirectory("lifeboat-layout-").FullName;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private string DataDirectory => Path.Combine(_work, "data");

    private string Location => Path.Combine(_work, "server-ts1");

    private string Relocated => Path.Combine(_work, "relocated", "ts1");

    public void Dispose() => Directory.Delete(_work, recursive: true);

    [Fact]
    public async Task A_relocated_tablespace_gets_its_files_in_its_new_directory_and_its_link_points_there()
    {
        var layout = BaseBackupLayout.Plan(Info(), Destination(new() { [Oid] = Relocated }));

        layout.PrepareDirectories();
        await layout.ExtractAsync("base.tar", BaseTar(), Ct);
        await layout.ExtractAsync($"{Oid}.tar", new TarBuilder().Directory("PG_15_202209061/").File("PG_15_202209061/5/16385", "rows").Build(), Ct);

        Assert.Equal(Relocated, new FileInfo(Path.Combine(DataDirectory, "pg_tblspc", $"{Oid}")).LinkTarget);
        Assert.Equal("rows", File.ReadAllText(Path.Combine(DataDirectory, "pg_tblspc", $"{Oid}", "PG_15_202209061", "5", "16385")));
        Assert.False(Directory.Exists(Location));
        Assert.Equal([new TablespacePlacement(Oid, $"{Oid}.tar", Relocated, Location, Relocated: true)], layout.Tablespaces);
    }

    [Fact]
    public async Task A_tablespace_the_main_archive_has_no_link_for_gets_one()
    {
        var layout = BaseBackupLayout.Plan(Info(), Destination(new() { [Oid] = Relocated }));
        layout.PrepareDirectories();
        await layout.ExtractAsync("base.tar", new TarBuilder().File("PG_VERSION", "15\n").Directory("pg_tblspc/").Build(), Ct);

        layout.EnsureTablespaceLinks();

        Assert.Equal(Relocated, new FileInfo(Path.Combine(DataDirectory, "pg_tblspc", $"{Oid}")).LinkTarget);
    }

    [Fact]
    public void A_tablespace_the_backup_does_not_have_is_a_usage_error_naming_those_it_has()
    {
        var error = Assert.Throws<LifeboatException>(() => BaseBackupLayout.Plan(Info(), Destination(new() { [99999] = Relocated })));

        Assert.Equal(FailureKind.Usage, error.Kind);
        Assert.Equal($"the base backup has no tablespace 99999: its tablespaces are {Oid} (at {Location}); nothing was written", error.Message);
        Assert.False(Directory.Exists(DataDirectory));
    }

    [Fact]
    public void A_tablespace_restored_in_place_is_never_emptied_and_nothing_else_is_touched_first()
    {
        Directory.CreateDirectory(DataDirectory);
        File.WriteAllText(Path.Combine(DataDirectory, "PG_VERSION"), "15");
        File.WriteAllText(Path.Combine(DataDirectory, "old"), "replaceable with force");
        Directory.CreateDirectory(Location);
        File.WriteAllText(Path.Combine(Location, "PG_VERSION"), "the running cluster's");

        var error = Assert.Throws<LifeboatException>(() => BaseBackupLayout.Plan(Info(), Destination([], force: true)));

        Assert.Equal(FailureKind.Usage, error.Kind);
        Assert.StartsWith($"tablespace {Oid} is restored where it was, in '{Location}', which is not empty; a tablespace restored in place is never emptied", error.Message, StringComparison.Ordinal);
        Assert.Equal(new Remedy(RemedyAction.RelocateTablespace, $"{Oid}"), error.Remedy);
        Assert.True(File.Exists(Path.Combine(DataDirectory, "old")));
        Assert.True(File.Exists(Path.Combine(Location, "PG_VERSION")));
    }

    [Fact]
    public void A_relocated_tablespace_directory_that_is_not_empty_is_refused_without_force_and_emptied_with_it()
    {
        Directory.CreateDirectory(Path.Combine(Relocated, "PG_15_202209061"));
        File.WriteAllText(Path.Combine(Relocated, "PG_15_202209061", "stale"), "from an earlier try");

        var refused = Assert.Throws<LifeboatException>(() => BaseBackupLayout.Plan(Info(), Destination(new() { [Oid] = Relocated })));
        var layout = BaseBackupLayout.Plan(Info(), Destination(new() { [Oid] = Relocated }, force: true));
        layout.PrepareDirectories();

        Assert.Equal($"'{Relocated}' is not empty; nothing was written", refused.Message);
        Assert.Equal(new Remedy(RemedyAction.EmptyDirectoryOrReplace), refused.Remedy);
        Assert.Empty(Directory.EnumerateFileSystemEntries(Relocated));
    }

    [Fact]
    public void Even_forced_a_directory_that_is_not_a_data_or_tablespace_directory_is_never_emptied()
    {
        Directory.CreateDirectory(DataDirectory);
        File.WriteAllText(Path.Combine(DataDirectory, "notes.txt"), "a home directory, or '/' from an empty variable");
        Directory.CreateDirectory(Relocated);
        File.WriteAllText(Path.Combine(Relocated, "repository.key"), "not a tablespace");

        var data = Assert.Throws<LifeboatException>(() => BaseBackupLayout.Plan(Info(), Destination([], force: true)));
        File.WriteAllText(Path.Combine(DataDirectory, "PG_VERSION"), "15");
        var tablespace = Assert.Throws<LifeboatException>(() => BaseBackupLayout.Plan(Info(), Destination(new() { [Oid] = Relocated }, force: true)));

        Assert.Equal($"'{DataDirectory}' is not empty and is not a PostgreSQL data directory (it has no PG_VERSION), so even a forced restore would not empty it; nothing was written", data.Message);
        Assert.Equal($"'{Relocated}' is not empty and is not a PostgreSQL tablespace directory (it holds more than PG_* directories), so even a forced restore would not empty it; nothing was written", tablespace.Message);
        Assert.Equal(FailureKind.Usage, tablespace.Kind);
        Assert.True(File.Exists(Path.Combine(DataDirectory, "notes.txt")));
        Assert.True(File.Exists(Path.Combine(Relocated, "repository.key")));
    }

    [Fact]
    public void Directories_that_overlap_are_refused()
    {
        var insideData = Assert.Throws<LifeboatException>(() => BaseBackupLayout.Plan(Info(), Destination(new() { [Oid] = Path.Combine(DataDirectory, "ts") })));
        var insideOld = Assert.Throws<LifeboatException>(() => BaseBackupLayout.Plan(Info(), Destination(new() { [Oid] = Path.Combine(Location, "new") })));

        Assert.Equal($"the data directory ({DataDirectory}) and tablespace {Oid} ({DataDirectory}/ts) overlap; nothing was written", insideData.Message);
        Assert.Equal($"tablespace {Oid} would be restored into {Location}/new, which overlaps where tablespace {Oid} was on the server ({Location}); nothing was written", insideOld.Message);
        Assert.Equal(FailureKind.Usage, insideOld.Kind);
    }

    [Fact]
    public async Task A_link_to_a_tablespace_the_backup_does_not_record_is_refused()
    {
        var layout = BaseBackupLayout.Plan(Info(), Destination(new() { [Oid] = Relocated }));
        layout.PrepareDirectories();

        var error = await Assert.ThrowsAsync<LifeboatException>(() => layout.ExtractAsync("base.tar", new TarBuilder().Link("pg_tblspc/99999", "/etc").Build(), Ct));

        Assert.StartsWith("the base backup's main archive holds the tablespace link 'pg_tblspc/99999', but the backup records no such tablespace", error.Message, StringComparison.Ordinal);
        Assert.False(Path.Exists(Path.Combine(DataDirectory, "pg_tblspc", "99999")));
    }

    [Fact]
    public async Task A_main_archive_with_an_entry_through_a_link_it_made_is_refused_and_nothing_is_written_outside()
    {
        var outside = Path.Combine(_work, "outside");
        Directory.CreateDirectory(outside);
        var layout = BaseBackupLayout.Plan(Info(), Destination(new() { [Oid] = Relocated }));
        layout.PrepareDirectories();
        var tampered = new TarBuilder().Link("pg_wal", outside).File("pg_wal/000000010000000000000001", "not WAL").Build();

        var error = await Assert.ThrowsAsync<LifeboatException>(() => layout.ExtractAsync("base.tar", tampered, Ct));

        Assert.StartsWith("the archive base.tar holds 'pg_wal/000000010000000000000001', a path through the symbolic link 'pg_wal'", error.Message, StringComparison.Ordinal);
        Assert.Empty(Directory.EnumerateFileSystemEntries(outside));
    }

    [Fact]
    public void The_data_directory_is_made_the_owners_alone_even_when_it_existed()
    {
        Directory.CreateDirectory(DataDirectory);
        File.SetUnixFileMode(DataDirectory, (UnixFileMode)0b_111_101_101);

        BaseBackupLayout.Plan(Info(), Destination([])).PrepareDirectories();

        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute, File.GetUnixFileMode(DataDirectory));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute, File.GetUnixFileMode(Location));
    }

    [Fact]
    public async Task A_backup_without_server_configuration_gets_minimal_files_and_a_warning_naming_where_the_originals_live()
    {
        var layout = BaseBackupLayout.Plan(Info(), Destination(new() { [Oid] = Relocated }));
        layout.PrepareDirectories();
        await layout.ExtractAsync("base.tar", BaseTar(), Ct);
        File.WriteAllText(Path.Combine(DataDirectory, "recovery.signal"), "");
        var reporter = new WarningRecorder();

        await layout.FinishAsync(reporter, Ct);

        var warning = Assert.Single(reporter.Warnings);
        Assert.StartsWith("the backup holds no postgresql.conf, pg_hba.conf, pg_ident.conf: its cluster kept them outside the data directory, as Debian's packages do; ", warning, StringComparison.Ordinal);
        Assert.Contains($"wrote minimal ones in {DataDirectory} ", warning, StringComparison.Ordinal);
        Assert.EndsWith("copy your own from /etc/postgresql/15/<cluster>/ if you need them", warning, StringComparison.Ordinal);
        Assert.StartsWith("# Written by Lifeboat: the base backup held no postgresql.conf", File.ReadAllText(Path.Combine(DataDirectory, "postgresql.conf")), StringComparison.Ordinal);
        var hba = File.ReadAllLines(Path.Combine(DataDirectory, "pg_hba.conf")).Where(l => !l.StartsWith('#')).ToList();
        Assert.Equal([$"local   all       \"{OsUser.Current.Name}\"  peer"], hba);
        foreach (var name in new[] { "postgresql.conf", "pg_hba.conf", "pg_ident.conf", "recovery.signal", "postgresql.auto.conf" })
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(Path.Combine(DataDirectory, name)));
    }

    [Fact]
    public async Task The_tree_stays_roots_alone_while_it_is_written_and_every_file_directory_and_link_is_given_to_the_owner_at_the_end()
    {
        // Root may give files to anyone; another user may still "give" them to itself, which exercises the same calls.
        var owner = OsUser.CanGiveFilesAway ? OsUser.Find("postgres") ?? OsUser.Find("nobody")! : OsUser.Current;
        var outside = Path.Combine(_work, "outside");
        Directory.CreateDirectory(outside);
        var layout = BaseBackupLayout.Plan(Info(), new RestoreDestination(DataDirectory, false, new Dictionary<uint, string> { [Oid] = Relocated }, new DataDirectoryOwner(owner, GiveFiles: true, "test")));
        layout.PrepareDirectories();
        await layout.ExtractAsync("base.tar", new TarBuilder().Directory("global/").File("global/pg_control", "control").File("base/1/1259", "page").Link("pg_wal", outside).Directory("pg_tblspc/").Build(), Ct);
        await layout.ExtractAsync($"{Oid}.tar", new TarBuilder().Directory("PG_15_202209061/").File("PG_15_202209061/5/16385", "rows").Build(), Ct);
        layout.EnsureTablespaceLinks();
        var whileWriting = Directory.GetFileSystemEntries(DataDirectory, "*", SearchOption.AllDirectories).Append(DataDirectory).Select(TestOwnership.OwnerOf).Distinct().ToList();

        await layout.FinishAsync(new WarningRecorder(), Ct);

        Assert.Equal([OsUser.Current.Uid], whileWriting);
        foreach (var path in new[] { "", "global", "global/pg_control", "base/1", "base/1/1259", "pg_wal", $"pg_tblspc/{Oid}", "pg_hba.conf" }.Select(p => Path.Combine(DataDirectory, p)))
            Assert.True(owner.Uid == TestOwnership.OwnerOf(path), path);
        foreach (var path in new[] { Relocated, Path.Combine(Relocated, "PG_15_202209061", "5", "16385") })
            Assert.True(owner.Uid == TestOwnership.OwnerOf(path), path);
        // lchown gives a link itself away, never what it points to.
        Assert.Equal(OsUser.Current.Uid, TestOwnership.OwnerOf(outside));
    }

    [Fact]
    public async Task A_data_directory_swapped_for_a_link_before_the_hand_over_gives_nothing_away()
    {
        var owner = OsUser.CanGiveFilesAway ? OsUser.Find("postgres") ?? OsUser.Find("nobody")! : OsUser.Current;
        var elsewhere = Path.Combine(_work, "etc");
        Directory.CreateDirectory(elsewhere);
        File.WriteAllText(Path.Combine(elsewhere, "shadow"), "root's");
        var layout = BaseBackupLayout.Plan(Info(), new RestoreDestination(DataDirectory, false, new Dictionary<uint, string> { [Oid] = Relocated }, new DataDirectoryOwner(owner, GiveFiles: true, "test")));
        layout.PrepareDirectories();
        await layout.ExtractAsync("base.tar", new TarBuilder().File("PG_VERSION", "15\n").Directory("pg_tblspc/").Build(), Ct);
        Directory.Move(DataDirectory, DataDirectory + ".moved");
        File.CreateSymbolicLink(DataDirectory, elsewhere);

        var error = await Assert.ThrowsAsync<LifeboatException>(() => layout.FinishAsync(new WarningRecorder(), Ct));

        Assert.StartsWith($"'{DataDirectory}' is no longer the directory this restore made", error.Message, StringComparison.Ordinal);
        Assert.Equal(OsUser.Current.Uid, TestOwnership.OwnerOf(Path.Combine(elsewhere, "shadow")));
        Assert.Equal(OsUser.Current.Uid, TestOwnership.OwnerOf(elsewhere));
    }

    [Fact]
    public async Task Configuration_files_the_backup_holds_are_kept_and_nothing_is_said()
    {
        var layout = BaseBackupLayout.Plan(Info(), Destination(new() { [Oid] = Relocated }));
        layout.PrepareDirectories();
        await layout.ExtractAsync("base.tar", new TarBuilder().File("postgresql.conf", "port = 5433\n").File("pg_hba.conf", "host all all 0.0.0.0/0 scram-sha-256\n").File("pg_ident.conf", "").Build(), Ct);
        var reporter = new WarningRecorder();

        await layout.FinishAsync(reporter, Ct);

        Assert.Empty(reporter.Warnings);
        Assert.Equal("port = 5433\n", File.ReadAllText(Path.Combine(DataDirectory, "postgresql.conf")));
        Assert.Equal("host all all 0.0.0.0/0 scram-sha-256\n", File.ReadAllText(Path.Combine(DataDirectory, "pg_hba.conf")));
    }

    private RestoreDestination Destination(Dictionary<uint, string> map, bool force = false) =>
        new(DataDirectory, force, map, new DataDirectoryOwner(OsUser.Current, GiveFiles: false, "the caller"));

    private MemoryStream BaseTar() => new TarBuilder()
        .File("PG_VERSION", "15\n")
        .File("postgresql.auto.conf", "# Do not edit this file manually!\n", (UnixFileMode)0b_110_100_100)
        .Directory("pg_tblspc/")
        .Link($"pg_tblspc/{Oid}", Location)
        .Build();

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

    private sealed class WarningRecorder : IActivityReporter
    {
        public List<string> Warnings { get; } = [];

        public void Event(string message) { }

        public void Warning(string message) => Warnings.Add(message);

        public ITransferProgress StartTransfer(string description, long? totalBytes, bool estimated = false) => throw new NotSupportedException();

        public IProgress<ItemsDone> StartItems(string description, int totalItems) => throw new NotSupportedException();
    }
}
