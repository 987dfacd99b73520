using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

namespace Lifeboat.Storage;

/// <summary>
/// Starts the kernel writing a file's new pages to disk every few MiB (sync_file_range, as PostgreSQL's *_flush_after do), so
/// the fsync that makes the file durable at the end waits for the last few MiB instead of all of it, and dirty pages do not
/// pile up in memory. Only a hint: a file system or libc that refuses it leaves the file to be fsynced as before.
/// </summary>
internal sealed partial class WriteBehind(SafeFileHandle file)
{
    private const long Step = 8 << 20;

    // SYNC_FILE_RANGE_WRITE only: start writeback without waiting. Never add the WAIT flags: waiting here would consume a
    // writeback error that the completing fsync must report.
    private const uint StartWrite = 2;
    private long _hinted;
    private bool _refused;

    /// <summary>Call after a write that brought the file to <paramref name="length"/> bytes.</summary>
    public void Advance(long length)
    {
        if (_refused || length - _hinted < Step)
            return;
        _hinted = length;
        try
        {
            // The whole file (offset 0, length 0 = to its end): bytes a buffered stream still held at the last hint are
            // covered now, and pages already clean or under writeback cost nothing.
            if (SyncFileRange(file, 0, 0, StartWrite) != 0)
                _refused = true;
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException)
        {
            _refused = true;
        }
    }

    [LibraryImport("libc", EntryPoint = "sync_file_range")]
    [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
    private static partial int SyncFileRange(SafeFileHandle fd, long offset, long count, uint flags);
}
