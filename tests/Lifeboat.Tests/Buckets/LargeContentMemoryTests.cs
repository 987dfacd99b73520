using Lifeboat.Buckets;
using Lifeboat.Buckets.Content;

namespace Lifeboat.Tests.Buckets;

/// <summary>Alone in its collection: it measures what the whole process allocates, which parallel tests would add to.</summary>
[CollectionDefinition(nameof(LargeContentMemoryTests), DisableParallelization = true)]
public sealed class LargeContentMemoryCollection;

[Collection(nameof(LargeContentMemoryTests))]
public sealed class LargeContentMemoryTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Streaming_a_40_MiB_object_allocates_a_small_fraction_of_its_size()
    {
        const int Size = 40 << 20;
        var piece = new byte[1 << 20];
        new Random(7).NextBytes(piece);
        await using var repo = await ContentTestRepository.CreateAsync();
        await using var store = await repo.OpenRunAsync(ContentTestRepository.NewRun());
        await store.FindByHintAsync(1, "warm-up", Ct); // the catalog load is not what is measured

        var before = GC.GetTotalAllocatedBytes(precise: true);
        ContentRef stored;
        await using (var upload = await store.BeginLargeAsync(null, Ct))
        {
            for (var written = 0; written < Size; written += piece.Length)
            {
                piece[0] = (byte)written; // 40 distinct MiB, so no level of compression could make it small
                await upload.WriteAsync(piece, Ct);
            }

            stored = await upload.CompleteAsync(Ct);
        }

        var allocated = GC.GetTotalAllocatedBytes(precise: true) - before;
        Assert.Equal(Size, stored.Size);
        Assert.True(allocated < 8 << 20, $"streaming {Size} bytes allocated {allocated} bytes");
    }
}
