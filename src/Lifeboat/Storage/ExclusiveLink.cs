using System.Runtime.InteropServices;

namespace Lifeboat.Storage;

/// <summary>
/// Gives a file a second name only if that name is free, atomically: link(2) fails with EEXIST where rename(2) would
/// replace. .NET has no such call: File.Move without overwrite checks for the target and then renames, so two
/// processes can both pass the check and the second replaces the first.
/// </summary>
/// <remarks>
/// Where the file system has no hard links (SMB/CIFS, exFAT, some FUSE), the file is renamed to the name instead with
/// renameat2(RENAME_NOREPLACE), as atomic and as refusing; the source name is then gone.
/// </remarks>
internal static partial class ExclusiveLink
{
    // Linux errno values.
    private const int NotPermitted = 1; // EPERM: what link answers on a file system without hard links
    private const int NoSuchEntry = 2;
    private const int AlreadyExists = 17;
    private const int InvalidArgument = 22; // EINVAL: what renameat2 answers for a flag the file system does not support
    private const int NotImplemented = 38; // ENOSYS
    private const int NotSupported = 95; // EOPNOTSUPP
    private const int CurrentDirectory = -100; // AT_FDCWD
    private const uint NoReplace = 1; // RENAME_NOREPLACE

    /// <summary>Links <paramref name="target"/> to the file at <paramref name="source"/> (or renames it there, where links are unsupported); false when <paramref name="target"/> exists.</summary>
    /// <exception cref="DirectoryNotFoundException">when the target's directory does not exist (any more).</exception>
    /// <exception cref="NotSupportedException">when the file system supports neither hard links nor no-replace renames.</exception>
    /// <exception cref="IOException">for any other failure, naming it.</exception>
    public static bool TryCreate(string source, string target) => TryCreate(source, target, LinkErrno, RenameNoReplaceErrno);

    /// <summary><see cref="TryCreate(string, string)"/> with the two calls given, each answering 0 or errno: the seam tests use.</summary>
    internal static bool TryCreate(string source, string target, Func<string, string, int> link, Func<string, string, int> renameNoReplace)
    {
        var errno = link(source, target);
        if (errno == 0)
            return true;
        if (errno is not (NotPermitted or NotSupported or NotImplemented))
            return Refused("link", errno, source, target);

        errno = renameNoReplace(source, target);
        if (errno == 0)
            return true;
        if (errno is InvalidArgument or NotSupported or NotImplemented)
            throw new NotSupportedException($"the file system of '{Path.GetDirectoryName(target)}' supports neither hard links nor no-replace renames: {Marshal.GetPInvokeErrorMessage(errno)}");
        return Refused("rename", errno, source, target);
    }

    private static bool Refused(string call, int errno, string source, string target)
    {
        var why = Marshal.GetPInvokeErrorMessage(errno);
        return errno switch
        {
            AlreadyExists when Directory.Exists(target) => throw new IOException($"'{target}' is a directory", errno),
            AlreadyExists => false,
            // With the source still there, only the target's directory can have been missing, even if another writer has
            // made it again since.
            NoSuchEntry when File.Exists(source) || !Directory.Exists(Path.GetDirectoryName(target)) => throw new DirectoryNotFoundException($"{call} to '{target}' failed: {why}"),
            _ => throw new IOException($"{call} of '{source}' to '{target}' failed: {why}", errno),
        };
    }

    /// <summary>link(2): 0, or errno.</summary>
    internal static int LinkErrno(string source, string target) => Link(source, target) == 0 ? 0 : Marshal.GetLastPInvokeError();

    /// <summary>renameat2(2) with RENAME_NOREPLACE: 0, or errno (ENOSYS where glibc lacks it).</summary>
    internal static int RenameNoReplaceErrno(string source, string target)
    {
        try
        {
            return RenameAt2(CurrentDirectory, source, CurrentDirectory, target, NoReplace) == 0 ? 0 : Marshal.GetLastPInvokeError();
        }
        catch (EntryPointNotFoundException)
        {
            return NotImplemented; // glibc before 2.28
        }
    }

    [DllImport("libc", EntryPoint = "link", SetLastError = true)]
    [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
    private static extern int Link([MarshalAs(UnmanagedType.LPUTF8Str)] string existing, [MarshalAs(UnmanagedType.LPUTF8Str)] string created);

    [LibraryImport("libc", EntryPoint = "renameat2", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
    [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
    private static partial int RenameAt2(int fromDirectory, string from, int toDirectory, string to, uint flags);
}
