using System.Collections.Concurrent;
using ZstdSharp;
using ZstdSharp.Unsafe;

namespace Lifeboat.Format;

/// <summary>
/// Keeps a few idle zstd compressors per (level, workers) for the next object. A multi-threaded
/// compressor starts and joins its worker threads when created and freed, which costs about 15 ms:
/// more than compressing a small object, and a bucket snapshot writes thousands of those.
/// </summary>
internal static class CompressorPool
{
    private const int MaxIdlePerSetting = 4;

    private static readonly ConcurrentDictionary<(int Level, int Workers), ConcurrentBag<Compressor>> Idle = new();

    /// <summary>Returns an idle compressor with these settings, or a new one.</summary>
    public static Compressor Rent(int level, int workers)
    {
        if (Idle.TryGetValue((level, workers), out var bag) && bag.TryTake(out var idle))
        {
            return idle;
        }

        var compressor = new Compressor(level);
        if (workers > 0)
        {
            compressor.SetParameter(ZSTD_cParameter.ZSTD_c_nbWorkers, workers);
        }

        return compressor;
    }

    /// <summary>Takes back a compressor whose frame ended cleanly; a compressor abandoned mid-frame must be disposed instead.</summary>
    public static void Return(Compressor compressor, int level, int workers)
    {
        compressor.ResetStream();
        var bag = Idle.GetOrAdd((level, workers), static _ => new ConcurrentBag<Compressor>());
        if (bag.Count >= MaxIdlePerSetting)
        {
            compressor.Dispose();
            return;
        }

        bag.Add(compressor);
    }
}
