using System.Threading.Channels;

namespace Lifeboat.Buckets.Source;

/// <summary>
/// Bounded parallel reads: the listing merges queue read requests (waiting while the queue is full, so a listing of
/// millions never runs far ahead), and <c>transfers</c> workers each run one at a time. The first failure stops the
/// pool: queueing and completing then throw it, and the run records nothing.
/// </summary>
public sealed class TransferPool : IAsyncDisposable
{
    private readonly Channel<ReadRequest> _queue;
    private readonly Func<ReadRequest, CancellationToken, Task> _work;
    private readonly CancellationTokenSource _stop;
    private readonly Task[] _workers;
    private Exception? _failure;

    /// <summary>Starts <paramref name="transfers"/> workers that run <paramref name="work"/> for each request queued.</summary>
    public TransferPool(int transfers, Func<ReadRequest, CancellationToken, Task> work, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(transfers, 1);
        _work = work;
        _queue = Channel.CreateBounded<ReadRequest>(new BoundedChannelOptions(transfers * 2) { SingleReader = false, SingleWriter = false });
        _stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        _workers = [.. Enumerable.Range(0, transfers).Select(_ => Task.Run(WorkAsync, CancellationToken.None))];
    }

    /// <summary>The first failure of a read, or null.</summary>
    public Exception? Failure => Volatile.Read(ref _failure);

    /// <summary>Queues one read; waits while the queue is full, and throws the pool's failure once there is one.</summary>
    public async ValueTask EnqueueAsync(ReadRequest request, CancellationToken cancellationToken)
    {
        ThrowIfFailed();
        using var both = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, _stop.Token);
        try
        {
            await _queue.Writer.WriteAsync(request, both.Token);
        }
        catch (OperationCanceledException) when (_failure is not null)
        {
            ThrowIfFailed();
        }
    }

    /// <summary>Waits for every queued read to finish; throws the first failure.</summary>
    public async Task CompleteAsync()
    {
        _queue.Writer.TryComplete();
        await Task.WhenAll(_workers);
        ThrowIfFailed();
        // Stopped without a failure: the caller cancelled, and reads may be missing.
        _stop.Token.ThrowIfCancellationRequested();
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        _queue.Writer.TryComplete();
        await _stop.CancelAsync();
        await Task.WhenAll(_workers);
        _stop.Dispose();
    }

    private async Task WorkAsync()
    {
        try
        {
            await foreach (var request in _queue.Reader.ReadAllAsync(_stop.Token))
                await _work(request, _stop.Token);
        }
        catch (OperationCanceledException) when (_stop.IsCancellationRequested)
        {
            // Stopped by another worker's failure or by the caller: that is what is reported.
        }
        catch (Exception e)
        {
            Interlocked.CompareExchange(ref _failure, e, null);
            await _stop.CancelAsync();
        }
    }

    private void ThrowIfFailed()
    {
        if (_failure is { } failure)
            System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(failure);
    }
}
