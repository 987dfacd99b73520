using System.Runtime.CompilerServices;
using ZstdNet;

namespace Lifeboat.Format;

/// <summary>
/// A write-only stream that zstd-compresses into another stream, with the native libzstd that ZstdNet
/// ships: on a 2-core machine a backup competes with pg_dump and the server for CPU, and native
/// compression costs a fifth less of it than the managed port. The first MiB goes into a
/// single-threaded frame; only an object that grows past it switches to a second, multi-threaded
/// frame. A multi-threaded compressor starts and joins worker threads, costing 5–20 ms per object:
/// more than compressing a small object, and a bucket snapshot writes thousands of those.
/// Flushing does nothing: it would end a zstd block early and cost ratio for no benefit.
/// </summary>
internal sealed class ZstdCompressingStream : WriteOnlyStream
{
    /// <summary>Plaintext bytes compressed single-threaded before worker threads are worth starting.</summary>
    public const int SingleThreadedPrefix = 1 << 20;

    /// <summary>
    /// Input each worker compresses at a time. libzstd's default at level 3 is 8 MiB, and every worker
    /// holds its job's input and output: 2 MiB jobs measured 41 MB less peak memory for the same CPU
    /// time and ratio (bench/results/pg-logical-2026-11-25b.md).
    /// </summary>
    public const int JobSize = 2 << 20;

    private readonly Stream sink;
    private readonly int level;
    private readonly int workers;
    private Frame frame;
    private long untilSwitch;
    private bool ended;
    private bool disposed;

    static ZstdCompressingStream() => NativeZstd.EnsureResolvable();

    /// <summary>Compresses at <paramref name="level"/> into <paramref name="sink"/> (not owned), with <paramref name="workers"/> threads after the first MiB.</summary>
    public ZstdCompressingStream(Stream sink, int level, int workers)
    {
        this.sink = sink;
        this.level = level;
        this.workers = workers;
        frame = new Frame(sink, level, workers: 0);
        untilSwitch = workers > 0 ? SingleThreadedPrefix : long.MaxValue;
    }

    /// <inheritdoc />
    public override bool CanWrite => !ended && !disposed;

    /// <inheritdoc />
    public override void Write(ReadOnlySpan<byte> buffer)
    {
        if (buffer.Length > untilSwitch)
        {
            var head = (int)untilSwitch;
            frame.Write(buffer[..head]);
            buffer = buffer[head..];
            frame.Dispose();
            StartMultiThreadedFrame();
        }

        frame.Write(buffer);
        untilSwitch -= buffer.Length;
    }

    /// <inheritdoc />
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder))]
    public override async ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
    {
        if (buffer.Length > untilSwitch)
        {
            var head = (int)untilSwitch;
            await frame.WriteAsync(buffer[..head], cancellationToken).ConfigureAwait(false);
            buffer = buffer[head..];
            await frame.DisposeAsync().ConfigureAwait(false);
            StartMultiThreadedFrame();
        }

        await frame.WriteAsync(buffer, cancellationToken).ConfigureAwait(false);
        untilSwitch -= buffer.Length;
    }

    /// <summary>Ends the current frame, pushing its tail into the sink; synchronously unless <paramref name="async"/>.</summary>
    public async ValueTask Finish(bool async)
    {
        // Disposing is how ZstdNet ends a frame.
        if (async)
        {
            await frame.DisposeAsync().ConfigureAwait(false);
        }
        else
        {
            frame.Dispose();
        }

        ended = true;
    }

    /// <summary>Frees the compressor; an unfinished frame is abandoned rather than ended, which would compress the rest for nothing.</summary>
    protected override void Dispose(bool disposing)
    {
        if (disposed)
        {
            return;
        }

        disposed = true;
        if (disposing && !ended)
        {
            frame.Abandon();
        }

        base.Dispose(disposing);
    }

    private void StartMultiThreadedFrame()
    {
        frame = new Frame(sink, level, workers);
        untilSwitch = long.MaxValue;
    }

    /// <summary>One zstd frame. ZstdNet ends a frame on dispose; <see cref="Abandon"/> frees it without ending it.</summary>
    private sealed class Frame(Stream sink, int level, int workers) : CompressionStream(sink, Settings(level, workers))
    {
        /// <summary>Frees the native stream without compressing or writing what it still holds.</summary>
        public void Abandon()
        {
            // ZstdNet's finalizer path frees without flushing; the later Dispose then finds nothing to do.
            Dispose(disposing: false);
            GC.SuppressFinalize(this);
        }

        // Without a dictionary the options hold no native memory, so nothing needs disposing.
        private static CompressionOptions Settings(int level, int workers) =>
            workers > 0
                ? new CompressionOptions(null, new Dictionary<ZSTD_cParameter, int> { [ZSTD_cParameter.ZSTD_c_nbWorkers] = workers, [ZSTD_cParameter.ZSTD_c_jobSize] = JobSize }, level)
                : new CompressionOptions(level);
    }
}
