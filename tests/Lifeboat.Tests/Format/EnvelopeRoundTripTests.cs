using System.Security.Cryptography;
using CsCheck;
using Lifeboat.Format;

namespace Lifeboat.Tests.Format;

public sealed class EnvelopeRoundTripTests : IDisposable
{
    private const int Chunk = 64;
    private readonly DataKey key = DataKey.Generate();

    public void Dispose() => key.Dispose();

    public static TheoryData<int, bool> SizesAroundChunkBoundaries()
    {
        var data = new TheoryData<int, bool>();
        foreach (var size in new[] { 0, 1, Chunk - 1, Chunk, Chunk + 1, 3 * Chunk, 5 * Chunk + 17, 10_000 })
        {
            data.Add(size, false);
            data.Add(size, true);
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(SizesAroundChunkBoundaries))]
    public async Task Plaintext_of_any_size_comes_back_unchanged(int size, bool compressed)
    {
        var plaintext = EnvelopeTestKit.TextLike(size, seed: size);

        var stored = await EnvelopeTestKit.SealAsync(plaintext, key, EnvelopeTestKit.Small(compressed));

        Assert.Equal(plaintext, await EnvelopeTestKit.OpenAsync(stored, key));
    }

    [Theory]
    [MemberData(nameof(SizesAroundChunkBoundaries))]
    public void The_synchronous_paths_round_trip_too(int size, bool compressed)
    {
        var plaintext = EnvelopeTestKit.RandomBytes(size, seed: size);
        using var stored = new MemoryStream();
        using (var writer = new EnvelopeWriter(stored, key, EnvelopeTestKit.Small(compressed)))
        {
            foreach (var b in plaintext.AsSpan(0, Math.Min(10, size)))
            {
                writer.WriteByte(b);
            }

            writer.Write(plaintext, Math.Min(10, size), size - Math.Min(10, size));
            writer.Finish();
        }

        using var received = new MemoryStream();
        Assert.Equal(plaintext, EnvelopeTestKit.OpenSync(stored.ToArray(), key, received, readSize: 7));
    }

    [Fact]
    public void Random_data_in_random_pieces_round_trips_through_chunks_of_random_size()
    {
        var cases =
            from size in Gen.Int[0, 5000]
            from seed in Gen.Int
            from chunkSize in Gen.Int[EnvelopeOptions.MinChunkSize, 700]
            from compressed in Gen.Bool
            from writeSize in Gen.Int[1, 900]
            from readSize in Gen.Int[1, 900]
            from readAhead in Gen.Bool
            select (size, seed, chunkSize, compressed, writeSize, readSize, readAhead);

        cases.Sample(
            c =>
            {
                var plaintext = c.seed % 2 == 0 ? EnvelopeTestKit.TextLike(c.size, c.seed) : EnvelopeTestKit.RandomBytes(c.size, c.seed);
                var stored = EnvelopeTestKit.SealAsync(plaintext, key, EnvelopeTestKit.Small(c.compressed, c.chunkSize), c.writeSize).GetAwaiter().GetResult();
                Assert.Equal(plaintext, EnvelopeTestKit.OpenAsync(stored, key, c.readSize, c.readAhead).GetAwaiter().GetResult());
            },
            iter: 300);
    }

    [Fact]
    public async Task Default_options_round_trip_several_megabyte_chunks_with_two_zstd_workers()
    {
        var plaintext = EnvelopeTestKit.TextLike(3 * (1 << 20) + 12345, seed: 7);

        var stored = await EnvelopeTestKit.SealAsync(plaintext, key, new EnvelopeOptions(), writeSize: 100_000);

        Assert.Equal(plaintext, await EnvelopeTestKit.OpenAsync(stored, key, readSize: 65536));
        Assert.Equal(plaintext, await EnvelopeTestKit.OpenAsync(stored, key, readSize: 65536, readAhead: true));
        using var received = new MemoryStream();
        Assert.Equal(plaintext, EnvelopeTestKit.OpenSync(stored, key, received, readSize: 65536, readAhead: true));
        Assert.True(stored.Length < plaintext.Length / 2, $"text-like data should compress well, got {stored.Length} of {plaintext.Length}");
    }

    [Fact]
    public async Task Writer_and_reader_report_the_plaintext_sha256_and_sizes()
    {
        var plaintext = EnvelopeTestKit.TextLike(1000, seed: 3);
        var expectedHash = Convert.ToHexStringLower(SHA256.HashData(plaintext));
        using var stored = new MemoryStream();
        await using var writer = new EnvelopeWriter(stored, key, EnvelopeTestKit.Small(compressed: true));
        await writer.WriteAsync(plaintext, TestContext.Current.CancellationToken);
        await writer.FinishAsync(TestContext.Current.CancellationToken);

        stored.Position = 0;
        await using var reader = new EnvelopeReader(stored, EnvelopeTestKit.KeysOf(key), "test/object");
        await reader.CopyToAsync(Stream.Null, TestContext.Current.CancellationToken);

        Assert.Equal((expectedHash, 1000L, stored.Length), (writer.PlaintextSha256, writer.PlaintextBytes, writer.StoredBytes));
        Assert.Equal((expectedHash, 1000L, stored.Length), (reader.PlaintextSha256, reader.PlaintextBytes, reader.StoredBytes));
    }

    [Fact]
    public void The_plaintext_hash_is_not_offered_before_the_end()
    {
        using var writer = new EnvelopeWriter(Stream.Null, key, EnvelopeTestKit.Small(compressed: false));
        writer.Write([1, 2, 3]);

        Assert.Throws<InvalidOperationException>(() => writer.PlaintextSha256);
    }

    [Fact]
    public async Task Nothing_can_be_written_after_finishing()
    {
        await using var writer = new EnvelopeWriter(Stream.Null, key, EnvelopeTestKit.Small(compressed: true));
        await writer.FinishAsync(TestContext.Current.CancellationToken);

        Assert.Throws<InvalidOperationException>(() => writer.Write([1]));
    }

    [Theory]
    [InlineData(1 << 20, 1 << 20)]
    [InlineData((1 << 20) + 1, 1 << 20)]
    [InlineData((3 << 20) + 5, 333_333)]
    [InlineData((3 << 20) + 5, 3 << 20)]
    public async Task Objects_around_the_single_threaded_prefix_round_trip_whatever_the_write_sizes(int size, int writeSize)
    {
        var plaintext = EnvelopeTestKit.TextLike(size, seed: size);

        var stored = await EnvelopeTestKit.SealAsync(plaintext, key, new EnvelopeOptions(CompressionLevel: 1, ChunkSize: 4096), writeSize);

        Assert.Equal(plaintext, await EnvelopeTestKit.OpenAsync(stored, key));
    }

    [Fact]
    public async Task An_abandoned_writer_leaves_an_object_readers_reject_as_truncated()
    {
        using var stored = new MemoryStream();
        await using (var writer = new EnvelopeWriter(stored, key, EnvelopeTestKit.Small(compressed: true)))
        {
            await writer.WriteAsync(EnvelopeTestKit.RandomBytes(1000, 1), TestContext.Current.CancellationToken);
        }

        var error = await Assert.ThrowsAsync<EnvelopeCorruptException>(() => EnvelopeTestKit.OpenAsync(stored.ToArray(), key));
        Assert.Contains("truncated", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(-200_000, Chunk, 0)]
    [InlineData(23, Chunk, 0)]
    [InlineData(3, 63, 0)]
    [InlineData(3, (16 << 20) + 1, 0)]
    [InlineData(3, Chunk, -1)]
    public void Out_of_range_options_are_a_usage_error(int level, int chunkSize, int workers)
    {
        var error = Assert.Throws<LifeboatException>(() => new EnvelopeWriter(Stream.Null, key, new EnvelopeOptions(level, chunkSize, workers)));

        Assert.Equal(FailureKind.Usage, error.Kind);
    }
}
