using Lifeboat.IO;

namespace Lifeboat.Tests.IO;

/// <summary>
/// A held directory is reached from '/' one component at a time: run as root, a link in a parent that another user
/// could have put or could change is refused, naming it and why; a link root alone controls is followed, and the
/// directory is known by its path with every link resolved.
/// </summary>
public sealed class PathWalkTests : IDisposable
{
    private static readonly UnixFileMode OwnerOnly = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute;
    private static readonly UnixFileMode Usual = OwnerOnly | UnixFileMode.GroupRead | UnixFileMode.GroupExecute | UnixFileMode.OtherRead | UnixFileMode.OtherExecute;
    private readonly string _work = Directory.CreateTempSubdirectory("lifeboat-walk-").FullName;

    private string Elsewhere => Path.Combine(_work, "dist-packages");

    public PathWalkTests() => Directory.CreateDirectory(Elsewhere);

    public void Dispose() => Directory.Delete(_work, recursive: true);

    [Fact]
    public void As_root_a_link_above_the_directory_owned_by_another_user_is_refused_and_nothing_is_made_where_it_points()
    {
        // The server's user owns /var/lib/postgresql and replaced '15' with a link.
        var home = Path.Combine(_work, "postgresql");
        Directory.CreateDirectory(home);
        var link = Path.Combine(home, "15");
        File.CreateSymbolicLink(link, Elsewhere);
        if (!OsUser.CanGiveFilesAway)
        {
            // Without root nothing is given away, and a link is followed as the kernel would.
            using var followed = HeldDirectory.Make(Path.Combine(link, "main"));
            Assert.Equal(Path.Combine(Elsewhere, "main"), followed.ResolvedPath);
            return;
        }

        TestOwnership.GiveTo(home, Nobody);
        TestOwnership.GiveTo(link, Nobody);

        var error = Assert.Throws<LifeboatException>(() => HeldDirectory.Make(Path.Combine(link, "main")));

        Assert.Equal(
            $"'{link}/main' cannot be reached safely: its component '{link}' is a symbolic link (to '{Elsewhere}') that someone other than root could have put there or could change: the link belongs to uid {Nobody.Uid}; root follows no such link; nothing was written",
            error.Message);
        Assert.Equal("name the directory by its path without that link, or make the link and the directory holding it root's alone", error.Hint);
        Assert.Equal(FailureKind.Usage, error.Kind);
        Assert.Empty(Directory.EnumerateFileSystemEntries(Elsewhere));
    }

    [Fact]
    public void As_root_a_link_of_roots_own_in_a_directory_others_may_write_is_refused()
    {
        var shared = Path.Combine(_work, "shared");
        Directory.CreateDirectory(shared);
        File.SetUnixFileMode(shared, OwnerOnly | UnixFileMode.GroupWrite | UnixFileMode.GroupExecute | UnixFileMode.OtherWrite | UnixFileMode.OtherExecute | UnixFileMode.OtherRead | UnixFileMode.GroupRead);
        var link = Path.Combine(shared, "15");
        File.CreateSymbolicLink(link, Elsewhere);

        var walk = () => PathWalk.Open(Path.Combine(link, "main"), makeMissing: true, rootLinksOnly: true);

        var error = Assert.Throws<LifeboatException>(walk);
        Assert.Contains($"its component '{link}' is a symbolic link (to '{Elsewhere}') that someone other than root could have put there or could change: ", error.Message, StringComparison.Ordinal);
        Assert.Contains(
            OsUser.Current.IsRoot ? $"it lies in '{shared}', which others may change (everyone may write it)" : $"the link belongs to uid {OsUser.Current.Uid}",
            error.Message,
            StringComparison.Ordinal);
        Assert.Empty(Directory.EnumerateFileSystemEntries(Elsewhere));
    }

    [Fact]
    public void A_link_root_alone_controls_is_followed_and_the_directory_is_known_by_its_resolved_path()
    {
        // As /var/run -> /run: root's link, in a directory only root may write (the temporary directory is 0700).
        var real = Path.Combine(_work, "run");
        Directory.CreateDirectory(real);
        File.CreateSymbolicLink(Path.Combine(_work, "var-run"), "run");
        File.CreateSymbolicLink(Path.Combine(_work, "up-and-over"), "run/../dist-packages/../run");

        using var held = HeldDirectory.Make(Path.Combine(_work, "var-run", "lifeboat", "main"));
        using var through = PathWalk.Open(Path.Combine(_work, "up-and-over"), makeMissing: false, rootLinksOnly: OsUser.Current.IsRoot)!;

        Assert.Equal(Path.Combine(real, "lifeboat", "main"), held.ResolvedPath);
        Assert.Equal(real, through.Path);
        Assert.Equal(Usual, File.GetUnixFileMode(Path.Combine(real, "lifeboat")));
        Assert.Equal(OwnerOnly, File.GetUnixFileMode(Path.Combine(real, "lifeboat", "main")));
        Assert.True(held.IsStillAtPath());
    }

    [Fact]
    public void A_missing_component_is_nothing_unless_asked_to_make_it_and_a_file_on_the_way_is_refused()
    {
        File.WriteAllText(Path.Combine(_work, "file"), "");

        var missing = PathWalk.Open(Path.Combine(_work, "a", "b"), makeMissing: false);
        var error = Assert.Throws<LifeboatException>(() => PathWalk.Open(Path.Combine(_work, "file", "b"), makeMissing: true));

        Assert.Null(missing);
        Assert.False(Directory.Exists(Path.Combine(_work, "a")));
        Assert.Contains($"'{_work}/file' is not a directory", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void As_root_a_held_directory_whose_parent_became_another_users_link_is_no_longer_at_its_path()
    {
        var parent = Path.Combine(_work, "parent");
        using var held = HeldDirectory.Make(Path.Combine(parent, "data"));
        Directory.Move(parent, parent + ".moved");
        File.CreateSymbolicLink(parent, parent + ".moved");
        if (OsUser.CanGiveFilesAway)
            TestOwnership.GiveTo(parent, Nobody);

        // Root does not follow that link, so its path no longer leads there; anyone else follows it, to the very directory.
        Assert.Equal(!OsUser.CanGiveFilesAway, held.IsStillAtPath());
    }

    private static OsUser Nobody => OsUser.Find("nobody")!;
}
