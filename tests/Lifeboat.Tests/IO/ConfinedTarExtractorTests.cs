using System.Formats.Tar;
using Lifeboat.IO;

namespace Lifeboat.Tests.IO;

/// <summary>A tar archive unpacks into its directory and nowhere else, whatever a tampered archive holds.</summary>
public sealed class ConfinedTarExtractorTests : IDisposable
{
    private readonly string _work = Directory.CreateTempSubdirectory("lifeboat-tar-").FullName;

    private string Root => Path.Combine(_work, "root");

    private string Outside => Path.Combine(_work, "outside");

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public ConfinedTarExtractorTests()
    {
        Directory.CreateDirectory(Root);
        Directory.CreateDirectory(Outside);
    }

    public void Dispose() => Directory.Delete(_work, recursive: true);

    [Fact]
    public async Task An_entry_through_a_link_the_archive_made_earlier_is_refused_and_nothing_is_written_outside()
    {
        var tar = new TarBuilder().File("PG_VERSION", "15\n").Link("escape", Outside).File("escape/authorized_keys", "ssh-ed25519 AAAA attacker").Build();

        var error = await Assert.ThrowsAsync<LifeboatException>(() => Extractor().ExtractAsync(tar, Ct));

        Assert.Equal("the archive base.tar holds 'escape/authorized_keys', a path through the symbolic link 'escape', which could lead outside the directory; it was refused and nothing more was unpacked", error.Message);
        Assert.Empty(Directory.EnumerateFileSystemEntries(Outside));
    }

    [Fact]
    public async Task A_directory_entry_and_a_deeper_path_through_a_link_are_refused_too()
    {
        var throughDirectory = new TarBuilder().Link("a", Outside).Directory("a/b/").Build();
        var deeper = new TarBuilder().Directory("x/").Link("x/y", Outside).File("x/y/z/file", "data").Build();

        await Assert.ThrowsAsync<LifeboatException>(() => Extractor().ExtractAsync(throughDirectory, Ct));
        await Assert.ThrowsAsync<LifeboatException>(() => new ConfinedTarExtractor(Root, "base.tar").ExtractAsync(deeper, Ct));

        Assert.Empty(Directory.EnumerateFileSystemEntries(Outside));
    }

    [Fact]
    public async Task An_entry_through_a_link_already_in_the_directory_is_refused()
    {
        Directory.CreateDirectory(Path.Combine(Root, "base"));
        File.CreateSymbolicLink(Path.Combine(Root, "base", "1"), Outside);
        var tar = new TarBuilder().File("base/1/16384", "page").Build();

        var error = await Assert.ThrowsAsync<LifeboatException>(() => Extractor().ExtractAsync(tar, Ct));

        Assert.Contains("a path through the symbolic link 'base/1'", error.Message, StringComparison.Ordinal);
        Assert.Empty(Directory.EnumerateFileSystemEntries(Outside));
    }

    [Fact]
    public async Task A_file_where_a_link_already_is_is_not_written_through_it()
    {
        var target = Path.Combine(Outside, "target");
        File.CreateSymbolicLink(Path.Combine(Root, "PG_VERSION"), target);
        var tar = new TarBuilder().File("PG_VERSION", "15\n").Build();

        await Assert.ThrowsAsync<IOException>(() => Extractor().ExtractAsync(tar, Ct));

        Assert.False(File.Exists(target));
    }

    [Theory]
    [InlineData("../outside/file")]
    [InlineData("global/../../outside/file")]
    public async Task A_path_leading_out_of_the_directory_is_refused(string name)
    {
        var tar = new TarBuilder().File(name, "data").Build();

        var error = await Assert.ThrowsAsync<LifeboatException>(() => Extractor().ExtractAsync(tar, Ct));

        Assert.Contains("a path outside the directory it restores into", error.Message, StringComparison.Ordinal);
        Assert.Empty(Directory.EnumerateFileSystemEntries(Outside));
    }

    [Fact]
    public async Task A_hard_link_is_refused_by_name_before_anything_links_to_the_file()
    {
        var secret = Path.Combine(Outside, "secret");
        File.WriteAllText(secret, "root's");
        var tar = new TarBuilder().Entry(TarEntryType.HardLink, "global/pg_control", secret).Build();

        var error = await Assert.ThrowsAsync<LifeboatException>(() => Extractor().ExtractAsync(tar, Ct));

        Assert.Contains($"holds 'global/pg_control', a hard link to '{secret}'", error.Message, StringComparison.Ordinal);
        Assert.False(File.Exists(Path.Combine(Root, "global", "pg_control")));
    }

    [Theory]
    [InlineData(TarEntryType.Fifo)]
    [InlineData(TarEntryType.CharacterDevice)]
    [InlineData(TarEntryType.BlockDevice)]
    public async Task A_device_or_fifo_is_refused_with_the_reason(TarEntryType type)
    {
        var tar = new TarBuilder().Entry(type, "pg_wal/weird").Build();

        var error = await Assert.ThrowsAsync<LifeboatException>(() => Extractor().ExtractAsync(tar, Ct));

        Assert.Contains("holds 'pg_wal/weird', a device or FIFO, which a data directory never holds", error.Message, StringComparison.Ordinal);
        Assert.False(Path.Exists(Path.Combine(Root, "pg_wal", "weird")));
    }

    [Fact]
    public async Task Files_keep_only_their_owners_rights_and_directories_are_the_owners_alone()
    {
        const UnixFileMode everyone = (UnixFileMode)0b_111_111_111;
        var tar = new TarBuilder().Directory("global/").File("global/pg_control", "control", everyone).File("base/1/1259", "page", (UnixFileMode)0b_110_100_100).Build();

        await Extractor().ExtractAsync(tar, Ct);

        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute, File.GetUnixFileMode(Path.Combine(Root, "global", "pg_control")));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(Path.Combine(Root, "base", "1", "1259")));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute, File.GetUnixFileMode(Path.Combine(Root, "base", "1")));
        Assert.Equal("page", File.ReadAllText(Path.Combine(Root, "base", "1", "1259")));
    }

    [Fact]
    public async Task A_link_takes_the_target_the_caller_gives_it()
    {
        var elsewhere = Path.Combine(_work, "relocated");
        var tar = new TarBuilder().Link("pg_tblspc/16384", "/srv/old/ts1").Build();

        await new ConfinedTarExtractor(Root, "base.tar", (name, recorded) => name == "pg_tblspc/16384" && recorded == "/srv/old/ts1" ? elsewhere : recorded).ExtractAsync(tar, Ct);

        Assert.Equal(elsewhere, new FileInfo(Path.Combine(Root, "pg_tblspc", "16384")).LinkTarget);
    }

    private ConfinedTarExtractor Extractor() => new(Root, "base.tar", null);
}
