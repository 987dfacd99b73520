using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

namespace Lifeboat.IO;

/// <summary>
/// The libc calls that work relative to an open directory (openat, mkdir, fchown, unlinkat…), which .NET's path-based
/// file API has no counterpart for. Each returns the descriptor or 0, or -1 with errno for <see cref="Failed"/>.
/// </summary>
internal static partial class DirectoryCalls
{
    public const int ReadOnly = 0; // O_RDONLY
    public const int WriteOnly = 0x1; // O_WRONLY
    public const int Create = 0x40; // O_CREAT
    public const int Exclusive = 0x80; // O_EXCL
    public const int Truncate = 0x200; // O_TRUNC
    public const int Append = 0x400; // O_APPEND
    public const int CloseOnExec = 0x80000; // O_CLOEXEC
    public const int PathOnly = 0x200000; // O_PATH: a descriptor to walk from, needing only search permission
    public const int SymlinkNoFollow = 0x100; // AT_SYMLINK_NOFOLLOW
    public const int RemoveDirectory = 0x200; // AT_REMOVEDIR

    public const int NoSuchEntry = 2; // ENOENT
    public const int AlreadyExists = 17; // EEXIST
    public const int NotADirectory = 20; // ENOTDIR
    public const int TooManyLinks = 40; // ELOOP: what O_NOFOLLOW answers for a symbolic link

    // ARM keeps its own values of these two (arch/arm64/include/uapi/asm/fcntl.h); every other Linux the generic ones.
    private static readonly bool ArmFlags = RuntimeInformation.ProcessArchitecture is Architecture.Arm64 or Architecture.Arm;

    /// <summary>O_DIRECTORY: opening anything but a directory fails with <see cref="NotADirectory"/>.</summary>
    public static int DirectoryOnly => ArmFlags ? 0x4000 : 0x10000;

    /// <summary>O_NOFOLLOW: opening a symbolic link fails with <see cref="TooManyLinks"/> instead of following it.</summary>
    public static int NoFollow => ArmFlags ? 0x8000 : 0x20000;

    /// <summary>The descriptor number of <paramref name="handle"/>, for the calls below.</summary>
    public static int Number(SafeFileHandle handle) => (int)handle.DangerousGetHandle();

    /// <summary>The error of the last call that failed, naming the call and what it was made on.</summary>
    public static IOException Failed(string call, string path)
    {
        var errno = Marshal.GetLastPInvokeError();
        return new IOException($"{call} of '{path}' failed: {Marshal.GetPInvokeErrorMessage(errno)}", errno);
    }

    /// <summary>errno of the last call that failed.</summary>
    public static int LastError => Marshal.GetLastPInvokeError();

    [LibraryImport("libc", EntryPoint = "open", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
    [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
    public static partial int Open(string path, int flags, uint mode);

    [LibraryImport("libc", EntryPoint = "openat", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
    [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
    public static partial int OpenAt(int directory, string path, int flags, uint mode);

    [LibraryImport("libc", EntryPoint = "mkdirat", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
    [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
    public static partial int MakeDirectoryAt(int directory, string name, uint mode);

    [LibraryImport("libc", EntryPoint = "symlinkat", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
    [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
    public static partial int SymbolicLinkAt(string target, int directory, string name);

    /// <summary>The target of the symbolic link <paramref name="name"/> in <paramref name="directory"/> (readlinkat), or null with errno set.</summary>
    public static unsafe string? ReadLinkAt(SafeFileHandle directory, string name)
    {
        const int Longest = 4096; // PATH_MAX
        var buffer = stackalloc byte[Longest];
        var length = ReadLinkAt(Number(directory), name, buffer, Longest);
        return length < 0 || length == Longest ? null : System.Text.Encoding.UTF8.GetString(buffer, (int)length);
    }

    [LibraryImport("libc", EntryPoint = "readlinkat", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
    [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
    private static unsafe partial nint ReadLinkAt(int directory, string name, byte* buffer, nint size);

    [LibraryImport("libc", EntryPoint = "fchown", SetLastError = true)]
    [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
    public static partial int FChown(int descriptor, uint owner, uint group);

    [LibraryImport("libc", EntryPoint = "fchownat", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
    [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
    public static partial int FChownAt(int directory, string path, uint owner, uint group, int flags);

    [LibraryImport("libc", EntryPoint = "fchmod", SetLastError = true)]
    [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
    public static partial int FChmod(int descriptor, uint mode);

    [LibraryImport("libc", EntryPoint = "fsync", SetLastError = true)]
    [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
    public static partial int FSync(int descriptor);

    [LibraryImport("libc", EntryPoint = "unlinkat", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
    [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
    public static partial int UnlinkAt(int directory, string path, int flags);
}
