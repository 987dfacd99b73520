using System.Buffers.Binary;
using System.Runtime.InteropServices;
using Lifeboat.Redis.Rdb;

namespace Lifeboat.Tests.Redis.Rdb;

/// <summary>A value kept whole is held in an array of its own size once it is large, not in a pooled power of two up to twice that.</summary>
public sealed class RdbCaptureSizeTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Theory]
    [InlineData(20 << 20)]
    [InlineData((40 << 20) + 12345)]
    public async Task A_string_larger_than_the_pool_takes_is_held_in_an_array_of_exactly_its_serialized_size(int length)
    {
        var rdb = RdbBytes.Of([0xfe, 0x00, RdbType.String, 0x01, (byte)'k', .. StringOf(length), 0x00, 0x01, (byte)'s', 0x01, (byte)'v']);
        using var reader = await RdbReader.OpenAsync(new MemoryStream(rdb), "the test RDB", keepValues: true, Ct);

        var big = await NextKeyAsync(reader);
        Assert.True(MemoryMarshal.TryGetArray(big.Value, out var held));
        var heldLength = held.Array!.Length;
        var small = await NextKeyAsync(reader);

        Assert.Equal(1 + 5 + length, big.SerializedLength);
        Assert.Equal(big.SerializedLength, heldLength);
        Assert.Equal(3, small.SerializedLength);
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
