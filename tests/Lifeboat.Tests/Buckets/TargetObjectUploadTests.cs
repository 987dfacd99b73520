using Lifeboat.Buckets.Target;

namespace Lifeboat.Tests.Buckets;

/// <summary>What a restore's single PUT asks the server to check: the MD5 a plain ETag is.</summary>
public sealed class TargetObjectUploadTests
{
    [Theory]
    [InlineData("\"9e107d9d372bb6826bd81d3542a419d6\"", "nhB9nTcrtoJr2B01QqQZ1g==")]
    [InlineData("9e107d9d372bb6826bd81d3542a419d6-2", null)]
    [InlineData("not-an-md5-at-all-but-32-chars!!", null)]
    [InlineData(null, null)]
    public void Only_a_plain_etag_gives_a_content_md5(string? etag, string? expected)
    {
        Assert.Equal(expected, TargetObjectUpload.ContentMd5(etag));
    }
}
