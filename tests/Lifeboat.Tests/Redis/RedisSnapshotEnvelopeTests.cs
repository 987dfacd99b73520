using Lifeboat.Format;
using Lifeboat.Redis;
using Lifeboat.Tests.Format;
using Lifeboat.Tests.Redis.Rdb;

namespace Lifeboat.Tests.Redis;

public sealed class RedisSnapshotEnvelopeTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Theory]
    [InlineData(3, -2)]
    [InlineData(19, -2)]
    [InlineData(1, -2)]
    [InlineData(-1, -2)]
    [InlineData(-2, -2)]
    [InlineData(-5, -5)]
    [InlineData(0, 0)]
    public void An_rdb_is_stored_at_zstd_level_minus_2_at_most_a_repository_level_below_keeps_its_own_and_no_compression_stays_none(int configured, int used)
    {
        var repository = new EnvelopeOptions(CompressionLevel: configured, ChunkSize: 1 << 16, Workers: 1);

        var snapshot = RedisBackup.SnapshotEnvelope(repository);

        Assert.Equal(used, snapshot.CompressionLevel);
        Assert.Equal(repository with { CompressionLevel = used }, snapshot);
    }

    // Level 1 is what backups before the fast level were stored at: they must read back as the new ones do.
    [Theory]
    [InlineData(1)]
    [InlineData(RedisBackup.SnapshotCompressionLevel)]
    public async Task An_rdb_stored_at_the_old_level_or_the_new_one_reads_back_whole_and_its_crc64_checks(int level)
    {
        var rdb = RdbTestFiles.Bytes(RdbTestFiles.AllTypes);
        using var key = DataKey.Generate();
        var stored = await EnvelopeTestKit.SealAsync(rdb, key, new EnvelopeOptions(CompressionLevel: level, ChunkSize: 4096, Workers: 2));

        var opened = await EnvelopeTestKit.OpenAsync(stored, key);
        var check = await RdbCheckingStream.VerifyAsync(new MemoryStream(opened), "the stored RDB", "restore from another backup", Ct);

        Assert.Equal(rdb, opened);
        Assert.True(check.Verified);
        Assert.NotNull(check.Checksum);
    }
}
