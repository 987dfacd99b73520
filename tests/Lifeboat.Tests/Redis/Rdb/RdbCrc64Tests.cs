using Lifeboat.Redis.Rdb;

namespace Lifeboat.Tests.Redis.Rdb;

/// <summary>The reader's temporary CRC64 gives Redis's own check values.</summary>
public sealed class RdbCrc64Tests
{
    [Fact]
    public void It_gives_the_check_value_of_redis_crc64_c() =>
        Assert.Equal(0xe9c6d914c4b8d9caUL, RdbCrc64.Update(0, "123456789"u8));

    [Fact]
    public void Hashing_in_pieces_gives_the_same_value_as_at_once()
    {
        var data = Enumerable.Range(0, 1000).Select(i => (byte)(i * 7)).ToArray();

        Assert.Equal(RdbCrc64.Update(0, data), RdbCrc64.Update(RdbCrc64.Update(0, data.AsSpan(0, 333)), data.AsSpan(333)));
    }
}
