using System.Runtime.InteropServices;

namespace Lifeboat.Storage;

/// <summary>
/// Makes a directory's entries durable (fsync on the directory), so a renamed or created name survives
/// a power cut. .NET refuses to open a directory as a file, hence the two libc calls.
/// </summary>
internal static class DirectorySync
{
    private const int ReadOnly = 0;

    /// <summary>Flushes the entries of <paramref name="directory"/> to stable storage.</summary>
    public static void Flush(string directory)
    {
        var descriptor = Open(directory, ReadOnly);
        if (descriptor < 0)
            throw LastError("open", directory);
        try
        {
            if (FSync(descriptor) != 0)
                throw LastError("fsync", directory);
        }
        finally
        {
            _ = Close(descriptor);
        }
    }

    private static IOException LastError(string call, string directory)
    {
        var errno = Marshal.GetLastPInvokeError();
        return new IOException($"{call} of directory '{directory}' failed: {Marshal.GetPInvokeErrorMessage(errno)}", errno);
    }

    [DllImport("libc", EntryPoint = "open", SetLastError = true)]
    [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
    private static extern int Open([MarshalAs(UnmanagedType.LPUTF8Str)] string path, int flags);

    [DllImport("libc", EntryPoint = "fsync", SetLastError = true)]
    [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
    private static extern int FSync(int descriptor);

    [DllImport("libc", EntryPoint = "close", SetLastError = true)]
    [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
    private static extern int Close(int descriptor);
}
