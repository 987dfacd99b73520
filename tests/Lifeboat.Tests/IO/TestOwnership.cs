using Lifeboat.IO;

namespace Lifeboat.Tests.IO;

/// <summary>Sets up files of another user for tests run as root: the owner of a path itself (a link too, never what it points to).</summary>
internal static class TestOwnership
{
    private const int CurrentDirectory = -100; // AT_FDCWD

    /// <summary>The user id owning <paramref name="path"/> (the link itself when it is one).</summary>
    public static uint OwnerOf(string path) => FileStatus.Of(path)!.Value.Owner;

    /// <summary>Gives <paramref name="path"/> (the link itself when it is one) to <paramref name="user"/>.</summary>
    public static void GiveTo(string path, OsUser user)
    {
        if (DirectoryCalls.FChownAt(CurrentDirectory, path, user.Uid, user.Gid, DirectoryCalls.SymlinkNoFollow) != 0)
            throw DirectoryCalls.Failed("lchown", path);
    }
}
