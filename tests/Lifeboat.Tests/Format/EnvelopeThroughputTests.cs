using System.Diagnostics;
using Lifeboat.Format;

namespace Lifeboat.Tests.Format;

/// <summary>
/// Measures, never asserts: run with <c>dotnet run -c Release --project tests/Lifeboat.Tests -- -explicit only -class Lifeboat.Tests.Format.EnvelopeThroughputTests</c>.
/// Set LIFEBOAT_THROUGHPUT_SAMPLE to a path to also save one 32 MiB block, for comparing with the zstd tool on the same bytes.
/// </summary>
public sealed class EnvelopeThroughputTests(ITestOutputHelper output) : IDisposable
{
    private const int BlockSize = 32 << 20;
    private const int Blocks = 16;
    private readonly DataKey key = DataKey.Generate();
    private readonly string storedPath = Path.Combine(Path.GetTempPath(), $"lifeboat-throughput-{Guid.NewGuid():N}.env");

    public void Dispose()
    {
        key.Dispose();
        File.Delete(storedPath);
    }

    [Theory(Explicit = true)]
    [InlineData(3, 2)]
    [InlineData(3, 0)]
    [InlineData(1, 2)]
    [InlineData(0, 0)]
    public async Task Envelope_throughput_for_512_MiB_of_text_like_data(int level, int workers)
    {
        var block = EnvelopeTestKit.TextLike(BlockSize, seed: 42);
        var samplePath = Environment.GetEnvironmentVariable("LIFEBOAT_THROUGHPUT_SAMPLE");
        if (samplePath is not null)
        {
            await File.WriteAllBytesAsync(samplePath, block, TestContext.Current.CancellationToken);
        }

        var write = Stopwatch.StartNew();
        long stored;
        await using (var file = new FileStream(storedPath, FileMode.Create, FileAccess.Write, FileShare.None, 1 << 16, useAsync: true))
        await using (var writer = new EnvelopeWriter(file, key, new EnvelopeOptions(level, Workers: workers)))
        {
            for (var i = 0; i < Blocks; i++)
            {
                for (var offset = 0; offset < BlockSize; offset += 1 << 20)
                {
                    await writer.WriteAsync(block.AsMemory(offset, 1 << 20), TestContext.Current.CancellationToken);
                }
            }

            await writer.FinishAsync(TestContext.Current.CancellationToken);
            stored = writer.StoredBytes;
        }

        write.Stop();

        var read = Stopwatch.StartNew();
        await using (var file = new FileStream(storedPath, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, useAsync: true))
        await using (var reader = new EnvelopeReader(file, EnvelopeTestKit.KeysOf(key), "throughput"))
        {
            await reader.CopyToAsync(Stream.Null, 1 << 20, TestContext.Current.CancellationToken);
        }

        read.Stop();
        const double megabytes = (double)BlockSize * Blocks / (1 << 20);
        output.WriteLine(
            $"level {level}, {workers} workers: write {megabytes / write.Elapsed.TotalSeconds:F0} MiB/s, " +
            $"read {megabytes / read.Elapsed.TotalSeconds:F0} MiB/s, stored {100.0 * stored / (BlockSize * (long)Blocks):F1} % of plaintext");
    }
}
