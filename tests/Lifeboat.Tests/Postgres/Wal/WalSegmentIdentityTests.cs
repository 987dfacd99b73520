using System.Buffers.Binary;
using Lifeboat.Postgres.Wal;

namespace Lifeboat.Tests.Postgres.Wal;

/// <summary>
/// The one check of "these bytes are segment NAME of the cluster with system identifier S" that a fetch, a prefetch
/// hand-over and the archive's read check make, on the segment PostgreSQL 15 wrote for these tests.
/// </summary>
public sealed class WalSegmentIdentityTests
{
    private const ulong SystemId = 7715026332713570263UL;
    private const string Seven = WalFixture.Name;
    private static readonly WalPrefetchIdentity Cluster = new(SystemId, 0xD110, 1 << 20);

    [Fact]
    public void The_segment_its_name_gives_of_the_known_cluster_or_of_an_unknown_one_is_accepted()
    {
        var segment = WalFixture.Segment();

        Assert.Null(Identity(Seven, Cluster).Refusal(WalPageHeader.Read(segment), segment.Length));
        Assert.Null(Identity(Seven, cluster: null).Refusal(WalPageHeader.Read(segment), segment.Length));
    }

    [Fact]
    public void A_segment_written_on_an_earlier_timeline_is_accepted_as_the_first_segment_of_a_later_one()
    {
        var segment = WalFixture.Segment();

        Assert.Null(Identity("000000020000000000000007", Cluster).Refusal(WalPageHeader.Read(segment), segment.Length));
    }

    [Theory]
    [InlineData("address", "000000010000000000000008", "it holds the WAL at 0/700000 of timeline 1, not segment 000000010000000000000008")]
    [InlineData("timeline", Seven, "it holds the WAL at 0/700000 of timeline 2, not segment 000000010000000000000007")]
    [InlineData("system", Seven, "it holds WAL of the cluster with system identifier 7715026332713570262, not segment 000000010000000000000007 of the cluster with system identifier 7715026332713570263")]
    [InlineData("magic", Seven, "it holds WAL of format D111 with 1048576-byte segments, not segment 000000010000000000000007 of format D110 with 1048576-byte segments")]
    [InlineData("short", Seven, "it is 8192 bytes long, not the 1048576 bytes of segment 000000010000000000000007")]
    [InlineData("empty", Seven, "it does not start with a WAL segment header, so it is not segment 000000010000000000000007")]
    public void A_file_that_is_not_the_named_segment_of_the_cluster_is_refused_naming_the_segment(string damage, string name, string refusal)
    {
        var bytes = Damaged(damage);

        Assert.Equal(refusal, Identity(name, Cluster).Refusal(WalPageHeader.Read(bytes), bytes.Length));
    }

    [Theory]
    [InlineData("address")]
    [InlineData("timeline")]
    [InlineData("short")]
    [InlineData("empty")]
    public void Without_a_known_cluster_the_segment_is_still_checked(string damage)
    {
        var bytes = Damaged(damage);
        var name = damage == "address" ? "000000010000000000000008" : Seven;

        var refusal = Identity(name, cluster: null).Refusal(WalPageHeader.Read(bytes), bytes.Length);

        Assert.EndsWith($"segment {name}", refusal, StringComparison.Ordinal);
    }

    [Fact]
    public void Without_a_known_cluster_another_clusters_segment_of_that_name_is_not_refused()
    {
        var bytes = Damaged("system");

        Assert.Null(Identity(Seven, cluster: null).Refusal(WalPageHeader.Read(bytes), bytes.Length));
    }

    private static WalSegmentIdentity Identity(string name, WalPrefetchIdentity? cluster) => new(WalFileName.TryParse(name)!, cluster);

    private static byte[] Damaged(string damage)
    {
        var bytes = WalFixture.Segment();
        switch (damage)
        {
            case "timeline":
                BinaryPrimitives.WriteUInt32LittleEndian(bytes.AsSpan(4), 2);
                break;
            case "system":
                bytes[24] ^= 0x01;
                break;
            case "magic":
                bytes[0] ^= 0x01;
                break;
            case "short":
                return bytes[..8192];
            case "empty":
                return [];
        }

        return bytes;
    }
}
