using System.Buffers;
using System.Runtime.ExceptionServices;
using System.Threading.Channels;

namespace Lifeboat.IO;

/// <summary>
/// Reads an inner stream ahead, on a task of its own, into a bounded queue of buffers: the work behind
/// the inner stream's reads (decrypting, decompressing) then runs beside the caller's work on what it
/// gets (hashing, writing a spool file), and a large read takes the longer of the two instead of their
/// sum. A failure of the inner stream is rethrown, as it was thrown, by the read that reaches it. The
/// inner stream is not owned; disposing stops the reading task and waits for it.
/// </summary>
internal sealed class ReadAheadStream : ReadOnlyStream
{
    private readonly Channel<(byte[] Buffer, int Length)> queue;
    private readonly CancellationTokenSource stop = new();
    private readonly Task reading;
    private Exception? fault;
    private byte[]? current;
    private int offset;
    private int length;
    private bool disposed;

    /// <summary>Starts reading <paramref name="inner"/> in pieces of <paramref name="bufferSize"/>, at most <paramref name="depth"/> pieces ahead.</summary>
    public ReadAheadStream(Stream inner, int bufferSize, int depth)
    {
        queue = Channel.CreateBounded<(byte[] Buffer, int Length)>(
            new BoundedChannelOptions(depth) { SingleReader = true, SingleWriter = true, FullMode = BoundedChannelFullMode.Wait });
        reading = Task.Run(() => ReadAllAsync(inner, bufferSize, stop.Token));
    }

    /// <inheritdoc />
    public override int Read(Span<byte> buffer)
    {
        ObjectDisposedException.ThrowIf(disposed, this);
        if (buffer.IsEmpty)
            return 0;
        // Blocking here is what a synchronous reader asked for; the channel has no synchronization context to deadlock on.
        while (!HasCurrent())
        {
            if (!queue.Reader.WaitToReadAsync().AsTask().GetAwaiter().GetResult())
                return End();
        }

        return CopyOut(buffer);
    }

    /// <inheritdoc />
    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        ObjectDisposedException.ThrowIf(disposed, this);
        if (buffer.IsEmpty)
            return 0;
        while (!HasCurrent())
        {
            if (!await queue.Reader.WaitToReadAsync(cancellationToken))
                return End();
        }

        return CopyOut(buffer.Span);
    }

    /// <inheritdoc />
    protected override void Dispose(bool disposing)
    {
        if (disposed)
            return;
        disposed = true;
        if (disposing)
        {
            stop.Cancel();
            // The inner stream is disposed by its owner right after this; the task must be done with it first.
            ((Task)reading).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing).GetAwaiter().GetResult();
            Release();
            while (queue.Reader.TryRead(out var left))
                ArrayPool<byte>.Shared.Return(left.Buffer);
            stop.Dispose();
        }

        base.Dispose(disposing);
    }

    // True when a buffer is in hand, taking the next queued one if there is one.
    private bool HasCurrent()
    {
        if (current is not null)
            return true;
        if (!queue.Reader.TryRead(out var next))
            return false;
        (current, offset, length) = (next.Buffer, 0, next.Length);
        return true;
    }

    private int CopyOut(Span<byte> buffer)
    {
        var count = Math.Min(buffer.Length, length - offset);
        current.AsSpan(offset, count).CopyTo(buffer);
        offset += count;
        if (offset == length)
            Release();
        return count;
    }

    private void Release()
    {
        if (current is not null)
            ArrayPool<byte>.Shared.Return(current);
        current = null;
    }

    private int End()
    {
        if (fault is not null)
            ExceptionDispatchInfo.Throw(fault);
        return 0;
    }

    private async Task ReadAllAsync(Stream inner, int bufferSize, CancellationToken cancellationToken)
    {
        try
        {
            while (true)
            {
                var buffer = ArrayPool<byte>.Shared.Rent(bufferSize);
                var read = await inner.ReadAtLeastAsync(buffer.AsMemory(0, bufferSize), bufferSize, throwOnEndOfStream: false, cancellationToken);
                if (read == 0)
                {
                    ArrayPool<byte>.Shared.Return(buffer);
                    break;
                }

                await queue.Writer.WriteAsync((buffer, read), cancellationToken);
            }
        }
        catch (Exception e)
        {
            // Published before completing, so the reader that sees the end sees the failure.
            fault = e;
        }
        finally
        {
            queue.Writer.Complete();
        }
    }
}
