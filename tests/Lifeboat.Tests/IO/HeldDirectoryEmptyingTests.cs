using Lifeboat.IO;

namespace Lifeboat.Tests.IO;

/// <summary>
/// Emptying (a forced restore) takes each directory beneath before listing it, so that its former owner can no longer
/// move anything into it, and never descends into another file system.
/// </summary>
public sealed class HeldDirectoryEmptyingTests : IDisposable
{
    private static readonly UnixFileMode OwnerOnly = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute;
    private readonly string _work = Directory.CreateTempSubdirectory("lifeboat-empty-").FullName;

    private string Target => Path.Combine(_work, "data");

    public void Dispose() => Directory.Delete(_work, recursive: true);

    [Fact]
    public void A_mount_point_beneath_is_refused_its_content_kept_and_the_directories_above_it_were_taken_before_they_were_listed()
    {
        var inner = Path.Combine(Target, "base", "16384");
        var mounted = Path.Combine(inner, "mounted");
        Directory.CreateDirectory(mounted);
        File.SetUnixFileMode(Path.Combine(Target, "base"), (UnixFileMode)0b_111_111_111);
        if (!OsUser.CanGiveFilesAway)
        {
            // Without root nothing can be mounted: a tree on one file system is emptied whole.
            using var plain = HeldDirectory.Take(Target, FileStatus.Of(Target));
            plain.Empty();
            Assert.True(plain.IsEmpty);
            return;
        }

        TestOwnership.GiveTo(Path.Combine(Target, "base"), Nobody);
        TestOwnership.GiveTo(inner, Nobody);
        using var mount = MountedTmpfs.At(mounted);
        File.WriteAllText(Path.Combine(mounted, "another-disk"), "kept");
        using var held = HeldDirectory.Take(Target, FileStatus.Of(Target));

        var error = Assert.Throws<LifeboatException>(held.Empty);

        Assert.Equal($"'{mounted}' is on another file system than the directory being emptied (a mount point); nothing in it was removed", error.Message);
        Assert.Equal("unmount it, or empty the directory yourself, then try again", error.Hint);
        Assert.Equal("kept", File.ReadAllText(Path.Combine(mounted, "another-disk")));
        foreach (var taken in new[] { Path.Combine(Target, "base"), inner })
        {
            Assert.Equal(0u, TestOwnership.OwnerOf(taken));
            Assert.Equal(OwnerOnly, File.GetUnixFileMode(taken));
        }
    }

    private static OsUser Nobody => OsUser.Find("nobody")!;
}
