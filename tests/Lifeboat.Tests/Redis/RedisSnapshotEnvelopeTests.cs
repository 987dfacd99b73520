using Lifeboat.Format;
using Lifeboat.Redis;

namespace Lifeboat.Tests.Redis;

public sealed class RedisSnapshotEnvelopeTests
{
    [Theory]
    [InlineData(3, 1)]
    [InlineData(19, 1)]
    [InlineData(1, 1)]
    [InlineData(0, 0)]
    [InlineData(-5, -5)]
    public void An_rdb_is_stored_at_zstd_level_1_at_most_and_a_repository_level_below_keeps_its_own(int configured, int used)
    {
        var repository = new EnvelopeOptions(CompressionLevel: configured, ChunkSize: 1 << 16, Workers: 1);

        var snapshot = RedisBackup.SnapshotEnvelope(repository);

        Assert.Equal(used, snapshot.CompressionLevel);
        Assert.Equal(repository with { CompressionLevel = used }, snapshot);
    }
}
