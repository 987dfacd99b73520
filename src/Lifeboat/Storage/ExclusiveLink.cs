using System.Runtime.InteropServices;

namespace Lifeboat.Storage;

/// <summary>
/// Gives a file a second name only if that name is free, atomically: link(2) fails with EEXIST where rename(2) would
/// replace. .NET has no such call: File.Move without overwrite checks for the target and then renames, so two
/// processes can both pass the check and the second replaces the first.
/// </summary>
internal static class ExclusiveLink
{
    // Linux errno values.
    private const int NoSuchEntry = 2;
    private const int AlreadyExists = 17;

    /// <summary>Links <paramref name="target"/> to the file at <paramref name="source"/>; false when <paramref name="target"/> exists.</summary>
    /// <exception cref="DirectoryNotFoundException">when the target's directory does not exist (any more).</exception>
    /// <exception cref="IOException">for any other failure, naming it.</exception>
    public static bool TryCreate(string source, string target)
    {
        if (Link(source, target) == 0)
            return true;
        var errno = Marshal.GetLastPInvokeError();
        var why = Marshal.GetPInvokeErrorMessage(errno);
        return errno switch
        {
            AlreadyExists when Directory.Exists(target) => throw new IOException($"'{target}' is a directory", errno),
            AlreadyExists => false,
            NoSuchEntry when !Directory.Exists(Path.GetDirectoryName(target)) => throw new DirectoryNotFoundException($"link to '{target}' failed: {why}"),
            _ => throw new IOException($"link of '{source}' to '{target}' failed: {why}", errno),
        };
    }

    [DllImport("libc", EntryPoint = "link", SetLastError = true)]
    [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
    private static extern int Link([MarshalAs(UnmanagedType.LPUTF8Str)] string existing, [MarshalAs(UnmanagedType.LPUTF8Str)] string created);
}
