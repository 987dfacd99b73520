namespace Lifeboat.Buckets.Source;

/// <summary>ETags as the index keeps them: without the quotes servers put around them (radosgw leaves some unquoted).</summary>
public static class ETags
{
    /// <summary><paramref name="etag"/> without surrounding quotes; "" for none.</summary>
    public static string Trim(string? etag) => etag is null ? "" : etag.Trim('"');
}
