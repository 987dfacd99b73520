using System.Buffers.Binary;
using Lifeboat.Postgres.Wal;

namespace Lifeboat.Tests.Postgres.Wal;

/// <summary>
/// The last check before restore_command gives PostgreSQL a prefetched file: its header must make it the segment named,
/// of the archive the running prefetcher recorded, as <see cref="WalArchive.FetchAsync"/> checks what it fetches.
/// </summary>
public sealed class WalPrefetchHandOverTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("lifeboat-handover-").FullName;
    private readonly WalPrefetchSpool _spool;
    private readonly byte[] _segment = WalFixture.Segment();
    private readonly WalFileName _name = WalFileName.TryParse(WalFixture.Name)!;

    public WalPrefetchHandOverTests()
    {
        _spool = new WalPrefetchSpool(Path.Combine(_dir, "spool"));
        _spool.Create();
        var header = WalPageHeader.Read(_segment)!;
        _spool.RecordIdentity(new WalPrefetchIdentity(header.SystemId, header.Magic, header.SegmentSize));
    }

    private string Destination => Path.Combine(_dir, "RECOVERYXLOG");

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Theory]
    [InlineData("system", "it holds WAL of the cluster with system identifier")]
    [InlineData("address", "it holds the WAL at 0/800000 of timeline 1, not segment 000000010000000000000007")]
    [InlineData("timeline", "it holds the WAL at 0/700000 of timeline 2, not segment 000000010000000000000007")]
    [InlineData("short", "it is 8192 bytes long, not the 1048576 bytes of segment 000000010000000000000007")]
    [InlineData("magic", "it holds WAL of format")]
    [InlineData("empty", "it does not start with a WAL segment header")]
    public void A_prefetched_file_that_is_not_the_named_segment_of_the_recorded_archive_is_refused_and_removed(string damage, string why)
    {
        File.WriteAllBytes(_spool.PathOf(_name.Text), Damaged(damage));

        var refusal = Assert.Throws<LifeboatException>(() => _spool.TryHandOver(_name, Destination));

        Assert.Contains($"the prefetched file '{_name}' is not that segment of the archive: {why}", refusal.Message, StringComparison.Ordinal);
        Assert.False(File.Exists(Destination));
        Assert.Empty(_spool.Prefetched());
        Assert.Empty(Directory.GetFiles(_dir));
    }

    [Fact]
    public void The_named_segment_of_the_recorded_archive_is_handed_over_and_without_a_recorded_identity_nothing_is()
    {
        File.WriteAllBytes(_spool.PathOf(_name.Text), _segment);
        var other = new WalPrefetchSpool(Path.Combine(_dir, "unrecorded"));
        other.Create();
        File.WriteAllBytes(other.PathOf(_name.Text), _segment);

        Assert.False(other.TryHandOver(_name, Destination));
        Assert.True(_spool.TryHandOver(_name, Destination));
        Assert.Equal(_segment, File.ReadAllBytes(Destination));
    }

    [Fact]
    public void The_recorded_identity_reads_back_as_written_and_a_cleared_spool_has_none()
    {
        var identity = new WalPrefetchIdentity(7_401_234_567_890_123_456, 0xD110, 16 << 20);
        _spool.RecordIdentity(identity);

        var read = _spool.RecordedIdentity();
        _spool.Clear();

        Assert.Equal(identity, read);
        Assert.Null(_spool.RecordedIdentity());
        Assert.Null(WalPrefetchIdentity.TryParse("7401234567890123456 D110"));
    }

    private byte[] Damaged(string damage)
    {
        var bytes = _segment.ToArray();
        switch (damage)
        {
            case "system":
                bytes[24] ^= 0x01;
                break;
            case "address":
                BinaryPrimitives.WriteUInt64LittleEndian(bytes.AsSpan(8), 8UL << 20);
                break;
            case "timeline":
                BinaryPrimitives.WriteUInt32LittleEndian(bytes.AsSpan(4), 2);
                break;
            case "short":
                return bytes[..8192];
            case "magic":
                bytes[0] ^= 0x01;
                break;
            case "empty":
                return [];
        }

        return bytes;
    }
}
