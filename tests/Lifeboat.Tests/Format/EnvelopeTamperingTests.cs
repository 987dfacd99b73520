using CsCheck;
using Lifeboat.Format;

namespace Lifeboat.Tests.Format;

public sealed class EnvelopeTamperingTests : IDisposable
{
    private const int Chunk = 64;
    private const int HeaderSize = 54;
    private const int SealedChunk = Chunk + 16;
    private readonly DataKey key = DataKey.Generate();

    public void Dispose() => key.Dispose();

    private static Gen<(byte[] Plaintext, bool Compressed)> Objects =>
        from size in Gen.Int[0, 700]
        from seed in Gen.Int
        from compressed in Gen.Bool
        select (EnvelopeTestKit.TextLike(size, seed), compressed);

    [Fact]
    public void A_flipped_byte_anywhere_including_the_header_is_detected()
    {
        var cases =
            from o in Objects
            from at in Gen.Double[0, 1]
            from mask in Gen.Byte[1, 255]
            from readAhead in Gen.Bool
            select (o.Plaintext, o.Compressed, at, mask, readAhead);

        cases.Sample(
            c =>
            {
                var stored = EnvelopeTestKit.Seal(c.Plaintext, key, EnvelopeTestKit.Small(c.Compressed));
                var position = (int)(c.at * (stored.Length - 1));
                stored[position] ^= c.mask;

                AssertRejectedAfterOnlyAuthenticPlaintext(stored, c.Plaintext, c.Compressed, c.readAhead);
            },
            iter: 1000,
            print: c => $"{c.Plaintext.Length} bytes, compressed {c.Compressed}, at {c.at}, mask {c.mask}, read-ahead {c.readAhead}");
    }

    [Fact]
    public void Truncation_at_any_point_is_detected()
    {
        var cases =
            from o in Objects
            from at in Gen.Double[0, 1]
            from readAhead in Gen.Bool
            select (o.Plaintext, o.Compressed, at, readAhead);

        cases.Sample(
            c =>
            {
                var stored = EnvelopeTestKit.Seal(c.Plaintext, key, EnvelopeTestKit.Small(c.Compressed));
                var truncated = stored[..(int)(c.at * (stored.Length - 1))];

                AssertRejectedAfterOnlyAuthenticPlaintext(truncated, c.Plaintext, c.Compressed, c.readAhead);
            },
            iter: 500,
            print: c => $"{c.Plaintext.Length} bytes, compressed {c.Compressed}, cut at {c.at}, read-ahead {c.readAhead}");
    }

    [Theory]
    [InlineData(3 * Chunk)]
    [InlineData(3 * Chunk + 20)]
    public async Task Dropping_exactly_the_final_chunk_is_detected(int size)
    {
        var stored = await EnvelopeTestKit.SealAsync(EnvelopeTestKit.RandomBytes(size, 1), key, EnvelopeTestKit.Small(compressed: false));
        var finalChunkLength = size % Chunk + 16;

        var error = await Assert.ThrowsAsync<EnvelopeCorruptException>(() => EnvelopeTestKit.OpenAsync(stored[..^finalChunkLength], key));

        Assert.Equal("object 'test/object' is corrupt: it ends after chunk 2 without its final chunk (truncated)", error.Message);
    }

    [Fact]
    public async Task Reordered_chunks_are_detected()
    {
        var stored = await EnvelopeTestKit.SealAsync(EnvelopeTestKit.RandomBytes(4 * Chunk, 1), key, EnvelopeTestKit.Small(compressed: false));
        var first = ChunkAt(stored, 1).ToArray();
        ChunkAt(stored, 2).CopyTo(ChunkAt(stored, 1));
        first.CopyTo(ChunkAt(stored, 2));

        var error = await Assert.ThrowsAsync<EnvelopeCorruptException>(() => EnvelopeTestKit.OpenAsync(stored, key));

        Assert.Equal(1, error.ChunkIndex);
    }

    [Fact]
    public async Task A_chunk_spliced_in_from_another_object_with_the_same_key_and_plaintext_is_detected()
    {
        var plaintext = EnvelopeTestKit.RandomBytes(4 * Chunk, 1);
        var stored = await EnvelopeTestKit.SealAsync(plaintext, key, EnvelopeTestKit.Small(compressed: false));
        var other = await EnvelopeTestKit.SealAsync(plaintext, key, EnvelopeTestKit.Small(compressed: false));
        ChunkAt(other, 2).CopyTo(ChunkAt(stored, 2));

        var error = await Assert.ThrowsAsync<EnvelopeCorruptException>(() => EnvelopeTestKit.OpenAsync(stored, key));

        Assert.Equal("object 'test/object' is corrupt: chunk 2 failed authentication (damaged, truncated, extended, tampered with, or written with another key)", error.Message);
    }

    [Fact]
    public async Task Another_objects_header_in_front_of_these_chunks_is_detected()
    {
        var plaintext = EnvelopeTestKit.RandomBytes(2 * Chunk, 1);
        var stored = await EnvelopeTestKit.SealAsync(plaintext, key, EnvelopeTestKit.Small(compressed: false));
        var other = await EnvelopeTestKit.SealAsync(plaintext, key, EnvelopeTestKit.Small(compressed: false));
        other.AsSpan(0, HeaderSize).CopyTo(stored);

        var error = await Assert.ThrowsAsync<EnvelopeCorruptException>(() => EnvelopeTestKit.OpenAsync(stored, key));

        Assert.Equal(0, error.ChunkIndex);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(16)]
    [InlineData(SealedChunk)]
    [InlineData(1000)]
    public async Task Trailing_data_after_the_final_chunk_is_detected(int extra)
    {
        var stored = await EnvelopeTestKit.SealAsync(EnvelopeTestKit.RandomBytes(2 * Chunk + 5, 1), key, EnvelopeTestKit.Small(compressed: false));
        var extended = stored.Concat(EnvelopeTestKit.RandomBytes(extra, 2)).ToArray();

        var error = await Assert.ThrowsAsync<EnvelopeCorruptException>(() => EnvelopeTestKit.OpenAsync(extended, key));

        Assert.Equal(2, error.ChunkIndex);
    }

    [Fact]
    public async Task A_different_data_key_under_the_same_id_fails_at_the_header()
    {
        var stored = await EnvelopeTestKit.SealAsync([1, 2, 3], key, EnvelopeTestKit.Small(compressed: true));
        using var impostor = new DataKey(System.Security.Cryptography.RandomNumberGenerator.GetBytes(32), key.Id);

        var error = await Assert.ThrowsAsync<EnvelopeCorruptException>(() => EnvelopeTestKit.OpenAsync(stored, impostor));

        Assert.Equal("object 'test/object' is corrupt: its header failed authentication (damaged, tampered with, or written with another key)", error.Message);
    }

    [Fact]
    public async Task An_unknown_key_id_is_named_in_the_error()
    {
        var stored = await EnvelopeTestKit.SealAsync([1, 2, 3], key, EnvelopeTestKit.Small(compressed: true));
        using var otherKey = DataKey.Generate();

        var error = await Assert.ThrowsAsync<EnvelopeCorruptException>(() => EnvelopeTestKit.OpenAsync(stored, otherKey));

        Assert.Contains($"data key '{key.Id}'", error.Message, StringComparison.Ordinal);
        Assert.NotNull(error.Hint);
    }

    [Fact]
    public async Task Bytes_that_are_not_an_envelope_are_reported_as_such()
    {
        var error = await Assert.ThrowsAsync<EnvelopeCorruptException>(() => EnvelopeTestKit.OpenAsync(EnvelopeTestKit.RandomBytes(500, 1), key));

        Assert.Contains("does not start with the envelope magic", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_newer_format_version_asks_for_an_upgrade()
    {
        var stored = await EnvelopeTestKit.SealAsync([1, 2, 3], key, EnvelopeTestKit.Small(compressed: true));
        stored[8] = 2;

        var error = await Assert.ThrowsAsync<LifeboatException>(() => EnvelopeTestKit.OpenAsync(stored, key));

        Assert.Contains("envelope format version 2", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_reader_that_failed_keeps_failing_instead_of_skipping_the_bad_chunk()
    {
        var stored = EnvelopeTestKit.Seal(EnvelopeTestKit.RandomBytes(4 * Chunk, 1), key, EnvelopeTestKit.Small(compressed: false));
        stored[HeaderSize + SealedChunk + 3] ^= 1;
        using var source = new MemoryStream(stored);
        using var reader = new EnvelopeReader(source, EnvelopeTestKit.KeysOf(key), "test/object");
        var buffer = new byte[Chunk];
        Assert.Equal(Chunk, reader.Read(buffer));

        Assert.Throws<EnvelopeCorruptException>(() => reader.Read(buffer));
        Assert.Throws<EnvelopeCorruptException>(() => reader.Read(buffer));
    }

    private static Span<byte> ChunkAt(byte[] stored, int index) => stored.AsSpan(HeaderSize + index * SealedChunk, SealedChunk);

    /// <summary>Reading must fail, and whatever came out before the failure must be a prefix of the true plaintext.</summary>
    private void AssertRejectedAfterOnlyAuthenticPlaintext(byte[] stored, byte[] plaintext, bool compressed, bool readAhead)
    {
        using var received = new MemoryStream();
        Assert.ThrowsAny<LifeboatException>(() => EnvelopeTestKit.OpenSync(stored, key, received, readSize: 50, readAhead));

        var prefix = received.ToArray();
        Assert.True(prefix.Length <= plaintext.Length);
        Assert.Equal(plaintext.AsSpan(0, prefix.Length), prefix.AsSpan());
        if (!compressed)
        {
            Assert.Equal(0, prefix.Length % Chunk);
        }
    }
}
