using System.Buffers.Binary;
using System.Runtime.InteropServices;
using Lifeboat.Redis.Rdb;

namespace Lifeboat.Tests.Redis.Rdb;

/// <summary>
/// A value kept whole is held in an array of its own size (and its DUMP footer's) once it is large, not in a pooled
/// power of two up to twice that; that array becomes its RESTORE payload, not copied again.
/// </summary>
public sealed class RdbCaptureSizeTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Theory]
    [InlineData(20 << 20)]
    [InlineData((40 << 20) + 12345)]
    public async Task A_string_larger_than_the_pool_takes_is_held_in_an_array_of_exactly_its_serialized_size_and_footer(int length)
    {
        var rdb = RdbBytes.Of([0xfe, 0x00, RdbType.String, 0x01, (byte)'k', .. StringOf(length), 0x00, 0x01, (byte)'s', 0x01, (byte)'v']);
        using var reader = await RdbReader.OpenAsync(new MemoryStream(rdb), "the test RDB", keepValues: true, Ct);

        var big = await NextKeyAsync(reader);
        Assert.True(MemoryMarshal.TryGetArray(big.Value, out var held));
        var heldLength = held.Array!.Length;
        var small = await NextKeyAsync(reader);

        Assert.Equal(1 + 5 + length, big.SerializedLength);
        Assert.Equal(big.SerializedLength + RdbDumpPayload.FooterBytes, heldLength);
        Assert.Equal(3, small.SerializedLength);
    }

    [Theory]
    [InlineData(3 << 20)]
    [InlineData(20 << 20)]
    public async Task A_large_value_s_payload_is_made_in_the_array_it_was_read_into(int length)
    {
        var rdb = RdbBytes.Of([0xfe, 0x00, RdbType.String, 0x01, (byte)'k', .. StringOf(length)]);
        using var reader = await RdbReader.OpenAsync(new MemoryStream(rdb), "the test RDB", keepValues: true, Ct);

        var big = await NextKeyAsync(reader);
        var expected = RdbDumpPayload.Create(big.Value.Span, 11);
        var payload = reader.TakeDumpPayload(11);

        Assert.True(MemoryMarshal.TryGetArray(big.Value, out var value));
        Assert.True(MemoryMarshal.TryGetArray(payload, out var sent));
        Assert.Same(value.Array, sent.Array);
        Assert.Equal(expected, payload.ToArray());
    }

    [Fact]
    public async Task A_small_value_s_payload_is_its_own_copy_and_the_next_value_does_not_change_it()
    {
        var rdb = RdbBytes.Of([0xfe, 0x00, RdbType.String, 0x01, (byte)'a', 0x01, (byte)'1', RdbType.String, 0x01, (byte)'b', 0x01, (byte)'2']);
        using var reader = await RdbReader.OpenAsync(new MemoryStream(rdb), "the test RDB", keepValues: true, Ct);

        var first = await NextKeyAsync(reader);
        var expected = RdbDumpPayload.Create(first.Value.Span, 11);
        var payload = reader.TakeDumpPayload(11);
        await NextKeyAsync(reader);

        Assert.Equal(expected, payload.ToArray());
    }

    private static async Task<RdbKeyValue> NextKeyAsync(RdbReader reader)
    {
        while (await reader.ReadAsync(Ct) is { } entry)
        {
            if (entry is RdbKeyValue key)
                return key;
        }

        throw new InvalidOperationException("no key follows");
    }

    // A plain string: the 32-bit length encoding (0x80 and four bytes, big-endian), then the bytes.
    private static byte[] StringOf(int length)
    {
        var bytes = new byte[5 + length];
        bytes[0] = 0x80;
        BinaryPrimitives.WriteInt32BigEndian(bytes.AsSpan(1), length);
        new Random(7).NextBytes(bytes.AsSpan(5));
        return bytes;
    }
}
