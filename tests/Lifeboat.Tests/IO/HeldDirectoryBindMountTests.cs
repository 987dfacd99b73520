using Lifeboat.IO;

namespace Lifeboat.Tests.IO;

/// <summary>
/// A bind mount of a directory on the same file system keeps its device number: emptying refuses it as a mount root,
/// as it refuses another file system.
/// </summary>
public sealed class HeldDirectoryBindMountTests : IDisposable
{
    private readonly string _work = Directory.CreateTempSubdirectory("lifeboat-bind-").FullName;

    private string Target => Path.Combine(_work, "data");

    private string Elsewhere => Path.Combine(_work, "elsewhere");

    public void Dispose() => Directory.Delete(_work, recursive: true);

    [Fact]
    public void A_bind_mount_of_a_directory_on_the_same_file_system_beneath_is_refused_and_its_content_kept()
    {
        Assert.True(OsUser.CanGiveFilesAway, "this test mounts, which needs root");
        var mounted = Path.Combine(Target, "base", "mounted");
        Directory.CreateDirectory(mounted);
        Directory.CreateDirectory(Elsewhere);
        File.WriteAllText(Path.Combine(Elsewhere, "not-ours"), "kept");

        using (MountedTmpfs.Bind(Elsewhere, mounted))
        {
            Assert.Equal(FileStatus.Of(Target)!.Value.Device, FileStatus.Of(mounted)!.Value.Device);
            using var held = HeldDirectory.Take(Target, FileStatus.Of(Target));

            var error = Assert.Throws<LifeboatException>(held.Empty);

            Assert.Equal($"'{mounted}' is a mount point (a bind mount) in the directory being emptied; nothing in it was removed", error.Message);
            Assert.Equal("unmount it, or empty the directory yourself, then try again", error.Hint);
        }

        Assert.Equal("kept", File.ReadAllText(Path.Combine(Elsewhere, "not-ours")));
    }

    [Fact]
    public void A_directory_that_is_no_mount_root_is_told_as_such_and_the_root_of_a_bind_mount_is()
    {
        Assert.True(OsUser.CanGiveFilesAway, "this test mounts, which needs root");
        var at = Path.Combine(_work, "at");
        Directory.CreateDirectory(at);
        Directory.CreateDirectory(Elsewhere);
        Assert.False(FileStatus.Of(at)!.Value.IsMountRoot);

        using (MountedTmpfs.Bind(Elsewhere, at))
            Assert.True(FileStatus.Of(at)!.Value.IsMountRoot);
    }
}
