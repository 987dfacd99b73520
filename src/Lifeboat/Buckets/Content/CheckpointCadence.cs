using System.Diagnostics;

namespace Lifeboat.Buckets.Content;

/// <summary>
/// When a run saves its progress (packs, then a catalog segment, then a journal object): every 256 MiB stored, 10,000
/// objects read or 60 s, whichever comes first. It bounds what a killed run loses and what the journal holds in memory.
/// </summary>
/// <param name="Bytes">Stored bytes that make a checkpoint due.</param>
/// <param name="Objects">Objects read that make a checkpoint due.</param>
/// <param name="Interval">Time after which a checkpoint is due.</param>
public sealed record CheckpointCadence(long Bytes, int Objects, TimeSpan Interval)
{
    /// <summary>The cadence of the design: 256 MiB, 10,000 objects, 60 s.</summary>
    public static CheckpointCadence Default { get; } = new(256L << 20, 10_000, TimeSpan.FromSeconds(60));

    /// <summary>True when a checkpoint is due after <paramref name="bytes"/> stored and <paramref name="objects"/> read over <paramref name="elapsed"/>.</summary>
    public bool IsDue(long bytes, int objects, TimeSpan elapsed) => bytes >= Bytes || objects >= Objects || elapsed >= Interval;

    /// <summary>A clock for <see cref="IsDue"/>.</summary>
    internal static Stopwatch StartClock() => Stopwatch.StartNew();
}
