using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

namespace Lifeboat.Storage;

/// <summary>
/// Starts the kernel writing a file's new pages to disk every few MiB (sync_file_range, as PostgreSQL's *_flush_after do), so
/// the fsync that makes the file durable at the end waits for the last few MiB instead of all of it, and dirty pages do not
/// pile up in memory. Only a hint: a file system that refuses it is fsynced as before.
/// </summary>
internal sealed partial class WriteBehind(SafeFileHandle file)
{
    private const long Step = 8 << 20;
    private const uint StartWrite = 2; // SYNC_FILE_RANGE_WRITE: start writeback of dirty pages in the range, without waiting
    private long _started;
    private bool _refused = !OperatingSystem.IsLinux();

    /// <summary>Call after a write that brought the file to <paramref name="length"/> bytes.</summary>
    public void Advance(long length)
    {
        if (_refused || length - _started < Step)
            return;
        if (SyncFileRange(file, _started, length - _started, StartWrite) != 0)
            _refused = true;
        _started = length;
    }

    [LibraryImport("libc", EntryPoint = "sync_file_range", SetLastError = true)]
    private static partial int SyncFileRange(SafeFileHandle fd, long offset, long count, uint flags);
}
