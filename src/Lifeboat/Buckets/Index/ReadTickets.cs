namespace Lifeboat.Buckets.Index;

/// <summary>Hands out a run's read tickets: dense from 0, so outcomes can be found by ticket in an array.</summary>
public sealed class ReadTickets
{
    private long _next = -1;

    /// <summary>Tickets handed out so far.</summary>
    public long Count => Interlocked.Read(ref _next) + 1;

    /// <summary>The next ticket; safe from several partitions at once.</summary>
    public long Next() => Interlocked.Increment(ref _next);
}
