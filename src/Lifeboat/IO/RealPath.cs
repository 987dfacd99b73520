using System.Runtime.InteropServices;

namespace Lifeboat.IO;

/// <summary>A path with every symbolic link in it resolved, as the kernel would walk it, so that two spellings of one place compare equal.</summary>
internal static partial class RealPath
{
    /// <summary>
    /// <paramref name="path"/> made absolute and resolved (realpath); a part that does not exist yet is appended as
    /// given to its nearest existing parent, resolved.
    /// </summary>
    public static string Of(string path)
    {
        var full = Path.TrimEndingDirectorySeparator(Path.GetFullPath(path));
        var missing = new Stack<string>();
        while (true)
        {
            if (Resolve(full) is { } resolved)
                return missing.Aggregate(resolved, Path.Combine);
            if (Path.GetDirectoryName(full) is not { } parent)
                return Path.GetFullPath(path);
            missing.Push(Path.GetFileName(full));
            full = parent;
        }
    }

    private static unsafe string? Resolve(string path)
    {
        var resolved = RealPathOf(path, IntPtr.Zero);
        if (resolved == IntPtr.Zero)
            return null;
        try
        {
            return Marshal.PtrToStringUTF8(resolved);
        }
        finally
        {
            NativeMemory.Free((void*)resolved);
        }
    }

    // With no buffer, realpath allocates the result with malloc; NativeMemory.Free is free().
    [LibraryImport("libc", EntryPoint = "realpath", StringMarshalling = StringMarshalling.Utf8)]
    [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
    private static partial IntPtr RealPathOf(string path, IntPtr resolved);
}
