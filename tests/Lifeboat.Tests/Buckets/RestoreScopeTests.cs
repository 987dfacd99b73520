using Lifeboat.Buckets;
using Lifeboat.Buckets.Content;
using Lifeboat.Buckets.Restore;
using static Lifeboat.Tests.Buckets.FakeSourceBucket;

namespace Lifeboat.Tests.Buckets;

/// <summary>The prefix a restore works under, and the lines its plan spills to disk.</summary>
public sealed class RestoreScopeTests
{
    [Theory]
    [InlineData(null, null, "")]
    [InlineData("uploads/", null, "uploads/")]
    [InlineData("uploads/", "uploads/img/", "uploads/img/")]
    [InlineData("uploads/img/", "uploads/", "uploads/img/")]
    [InlineData(null, "a/", "a/")]
    public void The_scope_is_the_narrower_of_the_prefix_asked_for_and_the_one_the_snapshots_hold(string? recorded, string? requested, string expected)
    {
        Assert.Equal(expected, RestoreScope.Of(recorded, requested, "assets"));
    }

    [Fact]
    public void A_prefix_outside_the_snapshots_is_a_usage_error_so_no_key_they_never_held_is_removed()
    {
        var error = Assert.Throws<LifeboatException>(() => RestoreScope.Of("uploads/", "other/", "assets"));

        Assert.Equal(FailureKind.Usage, error.Kind);
        Assert.Equal("prefix 'other/' lies outside 'uploads/', the prefix the snapshots of bucket source 'assets' hold", error.Message);
    }

    [Theory]
    [InlineData("plain")]
    [InlineData("with\nnewline and \"quotes\" and \\ and tab\t")]
    [InlineData("unicode/caf\u00e9/cafe\u0301/🚀")]
    public void A_key_line_holds_any_key_on_one_line(string key)
    {
        var buffer = new System.Buffers.ArrayBufferWriter<byte>();

        KeyLineCodec.Instance.Write(buffer, key);

        var line = buffer.WrittenSpan;
        Assert.Equal((byte)'\n', line[^1]);
        Assert.Equal(-1, line[..^1].IndexOf((byte)'\n'));
        Assert.Equal(key, KeyLineCodec.Instance.Read(line[..^1]));
    }

    [Fact]
    public void A_packed_write_round_trips_and_sorts_by_pack_then_offset()
    {
        var sha = ContentDigest.Of("hello"u8);
        var record = new BucketObjectRecord
        {
            Key = "a key with spaces",
            VersionId = "null",
            Latest = true,
            LastModified = At("2026-05-01T10:00:00.5Z"),
            Size = 5,
            ETag = "e",
            Sha256 = sha.ToString(),
            Attributes = new ObjectAttributes { ContentType = "text/plain", Tags = new Dictionary<string, string> { ["t"] = "v" } },
        };
        var write = new PackedWrite(new ContentLocation(sha, 5, new string('b', 32), 1234, 99), record);
        var buffer = new System.Buffers.ArrayBufferWriter<byte>();

        PackedWriteCodec.Instance.Write(buffer, write);
        var back = PackedWriteCodec.Instance.Read(buffer.WrittenSpan[..^1]);

        Assert.Equal(write.Location, back.Location);
        Assert.Equal(record, back.Record);
        Assert.True(PackOrder.Instance.Compare(write, write with { Location = write.Location with { Offset = 2000 } }) < 0);
        Assert.True(PackOrder.Instance.Compare(write, write with { Location = write.Location with { Pack = new string('a', 32), Offset = 5000 } }) > 0);
    }
}
