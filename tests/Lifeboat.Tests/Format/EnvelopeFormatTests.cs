using System.Buffers.Binary;
using System.Security.Cryptography;
using Lifeboat.Format;
using ZstdSharp;

namespace Lifeboat.Tests.Format;

/// <summary>Checks the bytes against docs/FORMAT.md with a decoder written from the document, not from the reader.</summary>
public sealed class EnvelopeFormatTests : IDisposable
{
    private const int Chunk = 128;
    private readonly DataKey key = DataKey.Generate();

    public void Dispose() => key.Dispose();

    [Fact]
    public void The_header_lays_out_magic_version_compression_chunk_size_and_key_id_as_documented()
    {
        var stored = EnvelopeTestKit.Seal([1, 2, 3], key, new EnvelopeOptions(CompressionLevel: 5, ChunkSize: 4096, Workers: 0));

        Assert.Equal("LIFEBOAT"u8.ToArray(), stored[..8]);
        Assert.Equal((1, 1), (stored[8], stored[9]));
        Assert.Equal(4096u, BinaryPrimitives.ReadUInt32BigEndian(stored.AsSpan(10)));
        Assert.Equal(key.Id, Convert.ToHexStringLower(stored, 14, 8));
    }

    [Fact]
    public void Every_object_gets_a_fresh_random_object_id()
    {
        var a = EnvelopeTestKit.Seal([], key, EnvelopeTestKit.Small(compressed: false));
        var b = EnvelopeTestKit.Seal([], key, EnvelopeTestKit.Small(compressed: false));

        Assert.NotEqual(a[22..38], b[22..38]);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(Chunk)]
    [InlineData(5 * Chunk + 9)]
    public void Uncompressed_stored_size_is_header_plus_data_plus_a_tag_per_chunk(int size)
    {
        var stored = EnvelopeTestKit.Seal(new byte[size], key, EnvelopeTestKit.Small(compressed: false, Chunk));
        var chunks = size / Chunk + 1;

        Assert.Equal(54 + size + 16 * chunks, stored.Length);
    }

    [Theory]
    [InlineData(false, 0)]
    [InlineData(false, 3 * Chunk)]
    [InlineData(true, 5000)]
    public void An_independent_decoder_following_FORMAT_md_reads_what_the_writer_wrote(bool compressed, int size)
    {
        var plaintext = EnvelopeTestKit.TextLike(size, seed: size);
        var stored = EnvelopeTestKit.Seal(plaintext, key, EnvelopeTestKit.Small(compressed, Chunk));

        Assert.Equal(plaintext, DecodeAsDocumented(stored, key.Material));
    }

    [Fact]
    public void An_independent_decoder_reads_an_object_whose_compressed_stream_has_two_zstd_frames()
    {
        var plaintext = EnvelopeTestKit.TextLike(3 << 20, seed: 1);
        var stored = EnvelopeTestKit.Seal(plaintext, key, new EnvelopeOptions(ChunkSize: 1 << 16, Workers: 2));

        Assert.Equal(plaintext, DecodeAsDocumented(stored, key.Material));
    }

    private static byte[] DecodeAsDocumented(byte[] stored, ReadOnlySpan<byte> dataKey)
    {
        var fields = stored[..38];
        var chunkSize = (int)BinaryPrimitives.ReadUInt32BigEndian(stored.AsSpan(10));
        var info = "lifeboat envelope v1"u8.ToArray().Concat(fields).ToArray();
        var okm = HKDF.DeriveKey(HashAlgorithmName.SHA256, dataKey.ToArray(), 64, salt: stored[22..38], info);
        Assert.Equal(stored[38..54], HMACSHA256.HashData(okm[32..], fields)[..16]);

        using var aes = new AesGcm(okm[..32], 16);
        using var body = new MemoryStream();
        var position = 54;
        for (long index = 0; ; index++)
        {
            var length = Math.Min(stored.Length - position, chunkSize + 16);
            var final = length < chunkSize + 16;
            var nonce = new byte[12];
            BinaryPrimitives.WriteInt64BigEndian(nonce, index);
            nonce[11] = final ? (byte)1 : (byte)0;
            var data = new byte[length - 16];
            aes.Decrypt(nonce, stored.AsSpan(position, length - 16), stored.AsSpan(position + length - 16, 16), data);
            body.Write(data);
            position += length;
            if (final)
            {
                break;
            }
        }

        Assert.Equal(stored.Length, position);
        return stored[9] == 0 ? body.ToArray() : Decompress(body.ToArray());
    }

    private static byte[] Decompress(byte[] frame)
    {
        using var zstd = new DecompressionStream(new MemoryStream(frame));
        using var plaintext = new MemoryStream();
        zstd.CopyTo(plaintext);
        return plaintext.ToArray();
    }
}
