using Lifeboat.IO;

namespace Lifeboat.Tests.IO;

/// <summary>
/// A held directory is worked on through its descriptor: renaming it and putting a link at its path, as a user who can
/// write its parent could while root restores, sends nothing anywhere else.
/// </summary>
public sealed class HeldDirectoryTests : IDisposable
{
    private const UnixFileMode OwnerOnly = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute;
    private readonly string _work = Directory.CreateTempSubdirectory("lifeboat-held-").FullName;

    private string Target => Path.Combine(_work, "data");

    private string Elsewhere => Path.Combine(_work, "etc");

    public HeldDirectoryTests() => Directory.CreateDirectory(Elsewhere);

    public void Dispose() => Directory.Delete(_work, recursive: true);

    [Fact]
    public void Writes_keep_going_into_the_held_directory_after_its_path_is_renamed_and_a_link_put_in_its_place()
    {
        using var held = HeldDirectory.Take(Target, expected: null);
        Directory.Move(Target, Target + ".moved");
        File.CreateSymbolicLink(Target, Elsewhere);

        Directory.CreateDirectory(Path.Combine(held.HandlePath, "base", "1"));
        File.WriteAllText(Path.Combine(held.HandlePath, "base", "1", "1259"), "page");
        using (var file = held.OpenFile("recovery.signal", FileMode.CreateNew))
            file.Write("x"u8);
        held.Flush();

        Assert.Empty(Directory.EnumerateFileSystemEntries(Elsewhere));
        Assert.Equal("page", File.ReadAllText(Path.Combine(Target + ".moved", "base", "1", "1259")));
        Assert.Equal("x", File.ReadAllText(Path.Combine(Target + ".moved", "recovery.signal")));
        Assert.False(held.IsStillAtPath());
    }

    [Fact]
    public void A_directory_it_makes_is_the_callers_alone_and_still_at_its_path()
    {
        using var held = HeldDirectory.Take(Target, expected: null);

        Assert.Equal(OwnerOnly, File.GetUnixFileMode(Target));
        Assert.Equal(OsUser.Current.Uid, TestOwnership.OwnerOf(Target));
        Assert.True(held.IsEmpty);
        Assert.True(held.IsStillAtPath());
    }

    [Fact]
    public void A_symbolic_link_at_the_path_is_refused_and_what_it_points_to_is_left_as_it_was()
    {
        File.SetUnixFileMode(Elsewhere, (UnixFileMode)0b_111_101_101);
        File.CreateSymbolicLink(Target, Elsewhere);

        var fresh = Assert.Throws<LifeboatException>(() => HeldDirectory.Take(Target, expected: null));
        var checkedBefore = Assert.Throws<LifeboatException>(() => HeldDirectory.Take(Target, FileStatus.Of(Elsewhere)));

        Assert.Equal($"'{Target}' is not the directory that was checked (a symbolic link is at its path): someone who can write its parent replaced it; nothing was written", fresh.Message);
        Assert.Contains("(a symbolic link is at its path)", checkedBefore.Message, StringComparison.Ordinal);
        Assert.Equal((UnixFileMode)0b_111_101_101, File.GetUnixFileMode(Elsewhere));
    }

    [Fact]
    public void Another_directory_than_the_one_checked_is_refused_and_left_as_it_was()
    {
        Directory.CreateDirectory(Target);
        var found = FileStatus.Of(Target);
        Directory.Move(Target, Target + ".moved");
        Directory.CreateDirectory(Target);
        File.SetUnixFileMode(Target, (UnixFileMode)0b_111_101_101);

        var error = Assert.Throws<LifeboatException>(() => HeldDirectory.Take(Target, found));

        Assert.Contains("is not the directory that was checked (another directory is at its path now)", error.Message, StringComparison.Ordinal);
        Assert.Equal((UnixFileMode)0b_111_101_101, File.GetUnixFileMode(Target));
    }

    [Fact]
    public void Something_that_appeared_where_nothing_was_is_refused()
    {
        Directory.CreateDirectory(Target);
        File.WriteAllText(Path.Combine(Target, "planted"), "");

        var error = Assert.Throws<LifeboatException>(() => HeldDirectory.Take(Target, expected: null));

        Assert.Contains("(something appeared at its path)", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Emptying_removes_links_without_following_them_and_reaches_nothing_outside()
    {
        File.WriteAllText(Path.Combine(Elsewhere, "shadow"), "root's");
        Directory.CreateDirectory(Path.Combine(Target, "base", "1"));
        File.WriteAllText(Path.Combine(Target, "base", "1", "1259"), "page");
        File.CreateSymbolicLink(Path.Combine(Target, "pg_wal"), Elsewhere);
        File.CreateSymbolicLink(Path.Combine(Target, "base", "file-link"), Path.Combine(Elsewhere, "shadow"));
        using var held = HeldDirectory.Take(Target, FileStatus.Of(Target));

        held.Empty();

        Assert.True(held.IsEmpty);
        Assert.Equal("root's", File.ReadAllText(Path.Combine(Elsewhere, "shadow")));
    }

    [Fact]
    public void Giving_the_tree_away_gives_links_themselves_and_the_directory_last()
    {
        // Root gives the tree to another user; anyone else may still "give" it to itself, which takes the same calls.
        var owner = OsUser.CanGiveFilesAway ? OsUser.Find("nobody")! : OsUser.Current;
        using var held = HeldDirectory.Take(Target, expected: null);
        Directory.CreateDirectory(Path.Combine(held.HandlePath, "global"));
        File.WriteAllText(Path.Combine(held.HandlePath, "global", "pg_control"), "control");
        File.CreateSymbolicLink(Path.Combine(held.HandlePath, "pg_wal"), Elsewhere);

        held.GiveTreeTo(owner);

        foreach (var path in new[] { "", "global", "global/pg_control", "pg_wal" }.Select(p => Path.Combine(Target, p)))
            Assert.True(owner.Uid == TestOwnership.OwnerOf(path), path);
        Assert.Equal(OsUser.Current.Uid, TestOwnership.OwnerOf(Elsewhere));
    }

    [Fact]
    public void Root_takes_another_users_directory_before_writing_and_anyone_else_is_refused_it()
    {
        Directory.CreateDirectory(Target);
        File.SetUnixFileMode(Target, (UnixFileMode)0b_111_111_111);
        if (!OsUser.CanGiveFilesAway)
        {
            // Without root, a directory of another user stands in: root's own temporary directory.
            var refused = Assert.Throws<LifeboatException>(() => HeldDirectory.Take("/tmp", FileStatus.Of("/tmp")));
            Assert.StartsWith("'/tmp' belongs to another user (uid 0); only root may restore into another user's directory", refused.Message, StringComparison.Ordinal);
            return;
        }

        TestOwnership.GiveTo(Target, OsUser.Find("nobody")!);

        using var held = HeldDirectory.Take(Target, FileStatus.Of(Target));

        Assert.Equal(0u, TestOwnership.OwnerOf(Target));
        Assert.Equal(OwnerOnly, File.GetUnixFileMode(Target));
    }

    [Fact]
    public void A_file_is_never_opened_through_a_link_at_its_name()
    {
        File.WriteAllText(Path.Combine(Elsewhere, "passwd"), "root:x:0:0");
        using var held = HeldDirectory.Take(Target, expected: null);
        File.CreateSymbolicLink(Path.Combine(Target, "postgresql.auto.conf"), Path.Combine(Elsewhere, "passwd"));

        var error = Assert.Throws<LifeboatException>(() => held.OpenFile("postgresql.auto.conf", FileMode.Append));

        Assert.Equal($"'{Target}/postgresql.auto.conf' is a symbolic link where the backup holds a file; it was not followed and nothing was written through it", error.Message);
        Assert.Equal("the backup is damaged or was tampered with: restore from another backup", error.Hint);
        Assert.Equal("root:x:0:0", File.ReadAllText(Path.Combine(Elsewhere, "passwd")));
        Assert.Throws<ArgumentException>(() => held.OpenFile("global/pg_control", FileMode.CreateNew));
    }
}
