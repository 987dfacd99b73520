using System.Text;
using Lifeboat.Buckets;
using Lifeboat.Buckets.Index;
using Lifeboat.Repository;

namespace Lifeboat.Tests.Buckets;

/// <summary>The index line: fixed bytes (segment names hash them), exact round trips, damage refused.</summary>
public sealed class IndexLineFormatTests
{
    private static readonly BucketObjectRecord Full = new()
    {
        Key = "photos/été 2026/a+b%20c?d#e//f.jpg",
        VersionId = "3HL4kqtJlcpXroDTDmJ+rmSpXd3dIbrHY",
        Latest = true,
        LastModified = new DateTimeOffset(2026, 3, 1, 12, 30, 45, 123, TimeSpan.Zero),
        Size = 1234,
        ETag = "9b2cf535f27731c974343645a3985328-2",
        Sha256 = new string('a', 64),
        Attributes = new ObjectAttributes
        {
            ContentType = "image/jpeg",
            CacheControl = "max-age=60",
            ContentDisposition = "attachment; filename=\"été.jpg\"",
            ContentEncoding = "identity",
            ContentLanguage = "fr",
            Expires = "Thu, 01 Dec 2027 16:00:00 GMT",
            WebsiteRedirectLocation = "/other",
            Metadata = new Dictionary<string, string> { ["zeta"] = "1", ["alpha"] = "<b>&'", ["Ä"] = "x" },
            Tags = new Dictionary<string, string> { ["team"] = "web", ["env"] = "prod" },
            StorageClass = "STANDARD_IA",
        },
        GoneFromSourceAt = new DateTimeOffset(2026, 4, 1, 0, 0, 0, TimeSpan.Zero),
    };

    [Fact]
    public void A_record_is_written_as_exactly_these_bytes()
    {
        const string Golden =
            """{"key":"photos/été 2026/a+b%20c?d#e//f.jpg","versionId":"3HL4kqtJlcpXroDTDmJ+rmSpXd3dIbrHY","latest":true,"lastModified":"2026-03-01T12:30:45.123Z","size":1234,"etag":"9b2cf535f27731c974343645a3985328-2","sha256":"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa","contentType":"image/jpeg","cacheControl":"max-age=60","contentDisposition":"attachment; filename=\"été.jpg\"","contentEncoding":"identity","contentLanguage":"fr","expires":"Thu, 01 Dec 2027 16:00:00 GMT","websiteRedirectLocation":"/other","metadata":{"alpha":"<b>&'","zeta":"1","Ä":"x"},"tags":{"env":"prod","team":"web"},"storageClass":"STANDARD_IA","goneFromSourceAt":"2026-04-01T00:00:00.000Z"}""" + "\n";

        Assert.Equal(Golden, Encoding.UTF8.GetString(IndexLineFormat.ToLine(Full)));
    }

    [Fact]
    public void A_delete_marker_has_only_its_identity()
    {
        var marker = new BucketObjectRecord { Key = "k", VersionId = "null", DeleteMarker = true, Synthesized = true, LastModified = new DateTimeOffset(2026, 1, 2, 3, 4, 5, TimeSpan.Zero) };

        Assert.Equal(
            """{"key":"k","versionId":"null","deleteMarker":true,"lastModified":"2026-01-02T03:04:05.000Z","synthesized":true}""" + "\n",
            Encoding.UTF8.GetString(IndexLineFormat.ToLine(marker)));
    }

    [Fact]
    public void A_record_reads_back_equal_to_what_was_written()
    {
        var line = IndexLineFormat.ToLine(Full);

        var read = IndexLineFormat.Read(line.AsSpan(0, line.Length - 1), "test");

        Assert.Equal(Full, read);
        Assert.Equal(line, IndexLineFormat.ToLine(read));
    }

    [Theory]
    [InlineData("with space")]
    [InlineData("line\nbreak and \"quote\" and \\ and \u0001")]
    [InlineData("e\u0301 (NFD)")]
    [InlineData("\u00e9 (NFC)")]
    [InlineData("emoji 🚀/日本語")]
    [InlineData("+%?#//&=")]
    public void Awkward_keys_round_trip_verbatim_on_one_line(string key)
    {
        var record = new BucketObjectRecord { Key = key, VersionId = "null", LastModified = DateTimeOffset.UnixEpoch, Size = 0, ETag = "e", Sha256 = "s" };
        var line = IndexLineFormat.ToLine(record);

        Assert.Equal(1, line.Count(b => b == IndexLineFormat.LineEnd));
        Assert.Equal(key, IndexLineFormat.Read(line.AsSpan(0, line.Length - 1), "test").Key);
    }

    [Fact]
    public void A_key_of_a_thousand_bytes_round_trips()
    {
        var key = new string('k', 998) + "é";
        Assert.Equal(1000, Encoding.UTF8.GetByteCount(key));
        var record = new BucketObjectRecord { Key = key, VersionId = "null", LastModified = DateTimeOffset.UnixEpoch };
        var line = IndexLineFormat.ToLine(record);

        Assert.Equal(key, IndexLineFormat.Read(line.AsSpan(0, line.Length - 1), "test").Key);
    }

    [Fact]
    public void Times_finer_than_a_millisecond_are_dropped_so_a_listing_time_round_trips()
    {
        var time = new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.FromHours(2)).AddTicks(1_234_567);
        var record = new BucketObjectRecord { Key = "k", VersionId = "null", LastModified = time };
        var line = IndexLineFormat.ToLine(record);

        var read = IndexLineFormat.Read(line.AsSpan(0, line.Length - 1), "test");

        Assert.Equal(IndexTime.Truncate(time), read.LastModified);
        Assert.Equal(TimeSpan.Zero, read.LastModified.Offset);
        Assert.Contains("\"2025-12-31T22:00:00.123Z\"", Encoding.UTF8.GetString(line), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("""{"key":"k","versionId":"null","lastModified":"2026-01-01T00:00:00.000Z","colour":"red"}""", "unknown member 'colour'")]
    [InlineData("""{"versionId":"null","lastModified":"2026-01-01T00:00:00.000Z"}""", "no key")]
    [InlineData("""{"key":"k","versionId":"null","lastModified":"yesterday"}""", "lastModified")]
    [InlineData("""{"key":"k","versionId":"null","lastModified":"2026-01-01T00:00:00.000Z"}{}""", "after a single JSON value")]
    [InlineData("""[1,2]""", "not a JSON object")]
    public void A_damaged_line_is_refused_naming_the_index_and_the_fault(string line, string fault)
    {
        var error = Assert.Throws<DamagedRecordException>(() => IndexLineFormat.Read(Encoding.UTF8.GetBytes(line), "index/abc"));

        Assert.Contains("index/abc", error.Message, StringComparison.Ordinal);
        Assert.Contains(fault, error.Message, StringComparison.Ordinal);
    }
}
