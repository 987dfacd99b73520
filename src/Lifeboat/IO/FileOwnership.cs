using System.Runtime.InteropServices;

namespace Lifeboat.IO;

/// <summary>Who owns a file, and giving it to another user, without following symbolic links (statx, lchown).</summary>
internal static unsafe partial class FileOwnership
{
    private const int CurrentDirectory = -100; // AT_FDCWD
    private const int NoFollow = 0x100; // AT_SYMLINK_NOFOLLOW
    private const uint WantOwner = 0x8 | 0x10; // STATX_UID | STATX_GID
    private const int StatxSize = 256;
    private const int UidOffset = 20; // struct statx: stx_mask, stx_blksize, stx_attributes, stx_nlink, then stx_uid

    /// <summary>The user id owning <paramref name="path"/> (the link itself when it is a symbolic link).</summary>
    public static uint OwnerOf(string path)
    {
        var buffer = stackalloc byte[StatxSize];
        if (Statx(CurrentDirectory, path, NoFollow, WantOwner, buffer) != 0)
            throw LastError("statx", path);
        return *(uint*)(buffer + UidOffset);
    }

    /// <summary>Gives <paramref name="path"/> to <paramref name="user"/> and its primary group; a symbolic link itself, not its target.</summary>
    public static void GiveTo(string path, OsUser user)
    {
        if (LChown(path, user.Uid, user.Gid) != 0)
            throw LastError("lchown", path);
    }

    private static IOException LastError(string call, string path)
    {
        var errno = Marshal.GetLastPInvokeError();
        return new IOException($"{call} of '{path}' failed: {Marshal.GetPInvokeErrorMessage(errno)}", errno);
    }

    [LibraryImport("libc", EntryPoint = "statx", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
    [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
    private static partial int Statx(int directory, string path, int flags, uint mask, byte* buffer);

    [LibraryImport("libc", EntryPoint = "lchown", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
    [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
    private static partial int LChown(string path, uint owner, uint group);
}
