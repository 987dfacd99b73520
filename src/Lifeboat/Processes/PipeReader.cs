using System.IO.Pipes;
using System.Runtime.InteropServices;

namespace Lifeboat.Processes;

/// <summary>
/// Copies a child's output pipe into a stream with blocking reads on a thread of its own. .NET's
/// asynchronous pipe reads go through the socket event loop, a wake-up and a thread-pool hop per read;
/// on a 2-core machine those cycles are taken from pg_dump and the server, which is the whole
/// difference between the backup and a shell pipeline. The pipe is also widened so one read takes
/// up to a MiB instead of the default 64 KiB.
/// </summary>
internal static partial class PipeReader
{
    /// <summary>The capacity asked of the kernel; unprivileged processes may have up to /proc/sys/fs/pipe-max-size (1 MiB by default).</summary>
    public const int PipeCapacity = 1 << 20;

    private const int SetPipeSize = 1031; // F_SETPIPE_SZ

    /// <summary>
    /// Copies <paramref name="pipe"/> to <paramref name="destination"/> with synchronous writes until
    /// end of stream. A blocking read does not see <paramref name="cancellationToken"/>: the caller ends
    /// it by killing the writer, after which this throws <see cref="OperationCanceledException"/>.
    /// </summary>
    public static Task CopyAsync(Stream pipe, Stream destination, int bufferSize, CancellationToken cancellationToken)
    {
        Widen(pipe);
        return Task.Factory.StartNew(
            () => Copy(pipe, destination, bufferSize, cancellationToken),
            cancellationToken,
            TaskCreationOptions.LongRunning,
            TaskScheduler.Default);
    }

    private static void Copy(Stream pipe, Stream destination, int bufferSize, CancellationToken cancellationToken)
    {
        var buffer = new byte[bufferSize];
        int read;
        while ((read = pipe.Read(buffer)) > 0)
        {
            cancellationToken.ThrowIfCancellationRequested();
            destination.Write(buffer.AsSpan(0, read));
        }

        cancellationToken.ThrowIfCancellationRequested();
    }

    // Best effort: a smaller pipe only costs more reads.
    private static void Widen(Stream pipe)
    {
        if (pipe is not PipeStream { SafePipeHandle: { IsInvalid: false } handle })
            return;
        var added = false;
        try
        {
            handle.DangerousAddRef(ref added);
            _ = Fcntl((int)handle.DangerousGetHandle(), SetPipeSize, PipeCapacity);
        }
        finally
        {
            if (added)
                handle.DangerousRelease();
        }
    }

    [LibraryImport("libc", EntryPoint = "fcntl", SetLastError = true)]
    private static partial int Fcntl(int fd, int command, int argument);
}
