using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

namespace Lifeboat.IO;

/// <summary>What statx tells of a file: which file it is, its type, owner, group and permissions.</summary>
/// <param name="Device">The device it is on (major and minor in one number).</param>
/// <param name="Inode">Its inode number, which with <paramref name="Device"/> names the file whatever its path.</param>
/// <param name="Owner">Its owner's user id.</param>
/// <param name="Group">Its group id.</param>
/// <param name="Mode">Its type and permission bits (st_mode).</param>
/// <param name="IsMountRoot">True when it is the root of a mount, a bind mount of a directory on the same file system included (false where the kernel, before 5.8, does not tell).</param>
internal readonly partial record struct FileStatus(ulong Device, ulong Inode, uint Owner, uint Group, uint Mode, bool IsMountRoot)
{
    private const int CurrentDirectory = -100; // AT_FDCWD
    private const int NoFollow = 0x100; // AT_SYMLINK_NOFOLLOW
    private const int EmptyPath = 0x1000; // AT_EMPTY_PATH: the descriptor itself
    private const uint Wanted = 0x1 | 0x2 | 0x8 | 0x10 | 0x100; // STATX_TYPE | STATX_MODE | STATX_UID | STATX_GID | STATX_INO
    private const int StatxSize = 256;
    private const uint TypeBits = 0xF000; // S_IFMT
    private const uint DirectoryType = 0x4000; // S_IFDIR
    private const uint LinkType = 0xA000; // S_IFLNK
    private const uint GroupWrite = 0x10; // S_IWGRP
    private const uint OthersWrite = 0x2; // S_IWOTH
    private const ulong MountRoot = 0x2000; // STATX_ATTR_MOUNT_ROOT: reported in stx_attributes, not asked for in the mask

    /// <summary>True for a directory.</summary>
    public bool IsDirectory => (Mode & TypeBits) == DirectoryType;

    /// <summary>True for a symbolic link.</summary>
    public bool IsLink => (Mode & TypeBits) == LinkType;

    /// <summary>Its permission bits, set-id and sticky bits included.</summary>
    public UnixFileMode Permissions => (UnixFileMode)(Mode & 0xFFF);

    /// <summary>
    /// Who besides root may change it (for a directory: add, remove or rename its entries), in words; null when no one:
    /// it is root's, and neither its group (unless root's) nor everyone may write it.
    /// </summary>
    public string? WritableByOthers =>
        Owner != 0 ? $"it belongs to uid {Owner}"
        : (Mode & OthersWrite) != 0 ? "everyone may write it"
        : (Mode & GroupWrite) != 0 && Group != 0 ? $"its group (gid {Group}) may write it"
        : null;

    /// <summary>True when <paramref name="other"/> is the same file.</summary>
    public bool IsSameFile(FileStatus other) => Device == other.Device && Inode == other.Inode;

    /// <summary>The status of <paramref name="path"/> (the link itself when it is a symbolic link), or null when nothing is there.</summary>
    /// <remarks>Links in the components before the last are followed: for checks and tests, not to decide where to write.</remarks>
    public static FileStatus? Of(string path) => OrNull(Read(CurrentDirectory, path, NoFollow, out var errno), errno, path);

    /// <summary>The status of what <paramref name="path"/> leads to, every link followed, or null when nothing is there.</summary>
    public static FileStatus? Following(string path) => OrNull(Read(CurrentDirectory, path, 0, out var errno), errno, path);

    /// <summary>The status of <paramref name="name"/> directly in the open <paramref name="directory"/> (the link itself when it is one), or null when nothing is there.</summary>
    public static FileStatus? Of(SafeFileHandle directory, string name, string shown) =>
        OrNull(Read(DirectoryCalls.Number(directory), name, NoFollow, out var errno), errno, shown);

    /// <summary>The status of the file <paramref name="handle"/> is open on.</summary>
    public static FileStatus Of(SafeFileHandle handle, string path) =>
        Read(DirectoryCalls.Number(handle), "", EmptyPath, out var errno)
        ?? throw new IOException($"statx of '{path}' failed: {Marshal.GetPInvokeErrorMessage(errno)}", errno);

    private static FileStatus? OrNull(FileStatus? status, int errno, string path) =>
        status ?? (errno is DirectoryCalls.NoSuchEntry or DirectoryCalls.NotADirectory ? null : throw new IOException($"statx of '{path}' failed: {Marshal.GetPInvokeErrorMessage(errno)}", errno));

    private static unsafe FileStatus? Read(int directory, string path, int flags, out int errno)
    {
        var buffer = stackalloc byte[StatxSize];
        if (Statx(directory, path, flags, Wanted, buffer) != 0)
        {
            errno = Marshal.GetLastPInvokeError();
            return null;
        }

        errno = 0;
        var device = ((ulong)*(uint*)(buffer + 136) << 32) | *(uint*)(buffer + 140); // stx_dev_major, stx_dev_minor
        var isMountRoot = (*(ulong*)(buffer + 56) & *(ulong*)(buffer + 8) & MountRoot) != 0; // stx_attributes_mask, stx_attributes
        return new FileStatus(device, *(ulong*)(buffer + 32), *(uint*)(buffer + 20), *(uint*)(buffer + 24), *(ushort*)(buffer + 28), isMountRoot); // stx_ino, stx_uid, stx_gid, stx_mode
    }

    [LibraryImport("libc", EntryPoint = "statx", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
    [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
    private static unsafe partial int Statx(int directory, string path, int flags, uint mask, byte* buffer);
}
