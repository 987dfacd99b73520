using System.Buffers.Binary;
using System.Text;
using Lifeboat.Redis;

namespace Lifeboat.Tests.Redis;

/// <summary>The CRC-64 Redis writes at the end of an RDB: its check value, incremental use, and the committed files' trailers.</summary>
public sealed class RedisCrc64Tests
{
    [Fact]
    public void The_crc_of_123456789_is_the_check_value_redis_crc64_c_tests_for()
    {
        Assert.Equal(0xe9c6d914c4b8d9caUL, RedisCrc64.Compute("123456789"u8));
    }

    [Fact]
    public void The_crc_of_nothing_is_zero()
    {
        Assert.Equal(0UL, RedisCrc64.Compute([]));
        Assert.Equal(0UL, RedisCrc64.Create().GetCurrentHashAsUInt64());
    }

    [Fact]
    public void The_crc_of_redis_crc64_c_lorem_ipsum_with_its_terminating_nul_is_the_value_crc64_c_tests_for()
    {
        const string LoremIpsum = "Lorem ipsum dolor sit amet, consectetur adipiscing elit, sed do eiusmod tempor incididunt ut labore et dolore magna "
            + "aliqua. Ut enim ad minim veniam, quis nostrud exercitation ullamco laboris nisi ut aliquip ex ea commodo consequat. Duis "
            + "aute irure dolor in reprehenderit in voluptate velit esse cillum dolore eu fugiat nulla pariatur. Excepteur sint "
            + "occaecat cupidatat non proident, sunt in culpa qui officia deserunt mollit anim id est laborum.";

        // crc64.c hashes sizeof(li): the string and its NUL.
        Assert.Equal(0xc7794709e69683b3UL, RedisCrc64.Compute(Encoding.ASCII.GetBytes(LoremIpsum + "\0")));
    }

    [Fact]
    public void Appending_in_pieces_of_any_size_gives_the_crc_of_the_whole()
    {
        var data = new byte[1000];
        new Random(11).NextBytes(data);
        var whole = RedisCrc64.Compute(data);

        foreach (var piece in new[] { 1, 3, 7, 8, 9, 64, 333 })
        {
            var crc = RedisCrc64.Create();
            for (var at = 0; at < data.Length; at += piece)
                crc.Append(data.AsSpan(at, Math.Min(piece, data.Length - at)));
            Assert.Equal(whole, crc.GetCurrentHashAsUInt64());
        }
    }

    // Short inputs take the scalar path, longer ones the vectorized one with a scalar tail: every length to 300 covers both.
    [Fact]
    public void The_crc_agrees_with_a_bit_at_a_time_crc_for_every_length_up_to_300()
    {
        var data = new byte[300];
        new Random(7).NextBytes(data);

        for (var length = 0; length <= data.Length; length++)
            Assert.Equal(BitwiseCrc(data.AsSpan(0, length)), RedisCrc64.Compute(data.AsSpan(0, length)));
    }

    [Theory]
    [InlineData("all-types-7.2.rdb")]
    [InlineData("all-types-lfu-7.2.rdb")]
    [InlineData("all-types-lru-7.2.rdb")]
    public void The_trailer_of_an_rdb_written_by_redis_7_2_is_the_crc_of_every_byte_before_it(string file)
    {
        var rdb = File.ReadAllBytes(Path.Combine(AppContext.BaseDirectory, "TestData", "redis", file));

        var recorded = BinaryPrimitives.ReadUInt64LittleEndian(rdb.AsSpan(rdb.Length - 8));

        Assert.NotEqual(0UL, recorded);
        Assert.Equal(recorded, RedisCrc64.Compute(rdb.AsSpan(0, rdb.Length - 8)));
    }

    // The definition, one bit at a time, to check the library's code against.
    private static ulong BitwiseCrc(ReadOnlySpan<byte> data)
    {
        var crc = 0UL;
        foreach (var b in data)
        {
            crc ^= b;
            for (var bit = 0; bit < 8; bit++)
                crc = (crc & 1) != 0 ? (crc >> 1) ^ 0x95ac9329ac4bc9b5UL : crc >> 1;
        }

        return crc;
    }
}
