using Lifeboat.Format;

namespace Lifeboat.Tests.Format;

/// <summary>
/// Memory must not grow with data size. Everything here runs synchronously on the test thread
/// (Stream.Null and MemoryStream complete at once), so the thread's own allocation counter is
/// not disturbed by tests running in parallel; zstd's workers allocate natively, outside the GC.
/// </summary>
public sealed class EnvelopeMemoryTests(ITestOutputHelper output) : IDisposable
{
    private const int Block = 1 << 20;
    private const int Blocks = 256;
    private const long Bound = 64L << 20;
    private readonly DataKey key = DataKey.Generate();
    private readonly byte[] block = EnvelopeTestKit.RandomBytes(Block, seed: 1);

    public void Dispose() => key.Dispose();

    [Fact]
    public void Writing_256_MiB_allocates_far_less_than_the_data_size()
    {
        WriteAll(Stream.Null, blocks: 1);

        var before = GC.GetAllocatedBytesForCurrentThread();
        WriteAll(Stream.Null, Blocks);
        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        output.WriteLine($"writer allocated {allocated / 1024} KiB for {Blocks} MiB");
        Assert.True(allocated < Bound, $"writer allocated {allocated} bytes for {Blocks} MiB");
    }

    [Fact]
    public void Reading_256_MiB_allocates_far_less_than_the_data_size()
    {
        using (var warmUp = new MemoryStream())
        {
            WriteAll(warmUp, blocks: 1);
            ReadAll(warmUp);
        }

        using var stored = new MemoryStream();
        WriteAll(stored, Blocks);

        var before = GC.GetAllocatedBytesForCurrentThread();
        var read = ReadAll(stored);
        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        output.WriteLine($"reader allocated {allocated / 1024} KiB for {read >> 20} MiB ({stored.Length >> 10} KiB stored)");
        Assert.Equal((long)Block * Blocks, read);
        Assert.True(allocated < Bound, $"reader allocated {allocated} bytes for {Blocks} MiB");
    }

    /// <summary>The same random MiB over and over: zstd finds many repeats, so this is quick yet passes every byte through hashing, compression and sealing.</summary>
    private void WriteAll(Stream destination, int blocks)
    {
        using var writer = new EnvelopeWriter(destination, key, new EnvelopeOptions());
        for (var i = 0; i < blocks; i++)
        {
            writer.Write(block);
        }

        writer.Finish();
    }

    private long ReadAll(MemoryStream stored)
    {
        stored.Position = 0;
        using var reader = new EnvelopeReader(stored, EnvelopeTestKit.KeysOf(key), "test/big");
        var buffer = new byte[81920];
        long total = 0;
        int read;
        while ((read = reader.Read(buffer)) > 0)
        {
            total += read;
        }

        return total;
    }
}
