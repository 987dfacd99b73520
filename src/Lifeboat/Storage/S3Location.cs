using System.Text;

namespace Lifeboat.Storage;

/// <summary>Where and how to reach an S3 repository: bucket, key prefix, endpoint, credentials and tuning.</summary>
/// <param name="Bucket">The bucket holding the repository.</param>
/// <param name="Prefix">The key prefix of the repository inside the bucket ("" for the whole bucket).</param>
/// <param name="Endpoint">An S3-compatible server's URL (path-style addressing is used), or null for AWS itself.</param>
/// <param name="Region">The signing region, e.g. "us-east-1".</param>
/// <param name="AccessKey">The access key id.</param>
/// <param name="SecretKey">The secret key; never printed.</param>
public sealed record S3Location(string Bucket, string Prefix, string? Endpoint, string Region, string AccessKey, string SecretKey)
{
    /// <summary>S3's smallest allowed part (except the last).</summary>
    public const int MinPartSize = 5 * 1024 * 1024;

    /// <summary>
    /// 8 MiB: three buffers (one filling, two in flight) take 24 MiB, and 128 requests per GiB cost
    /// nothing measurable; the largest object is then ~480 GiB stored (zstd-compressed), and parts only
    /// grow past 16 GiB (see <see cref="MultipartSizing"/>).
    /// </summary>
    public const int DefaultPartSize = 8 * 1024 * 1024;

    /// <summary>The largest base part size accepted; parts grow beyond it only for objects near a terabyte.</summary>
    public const int MaxPartSize = 512 * 1024 * 1024;

    /// <summary>
    /// Bytes buffered per part. Objects up to this size are sent with one PutObject; larger ones with a
    /// multipart upload whose parts grow (see <see cref="MultipartSizing"/>) so that 10,000 parts hold 62,000 × PartSize (~480 GiB at the default).
    /// </summary>
    public int PartSize { get; init; } = DefaultPartSize;

    /// <summary>How transient failures (5xx, throttling, timeouts, refused connections) are retried.</summary>
    public RetrySettings Retry { get; init; } = RetrySettings.Default;

    /// <summary>The endpoint for messages: the URL, or "AWS S3 (region)".</summary>
    public string EndpointDescription => Endpoint ?? $"AWS S3 ({Region})";

    // Records print every property; the secret key must never reach a log or an error message.
    private bool PrintMembers(StringBuilder builder)
    {
        builder.Append($"Bucket = {Bucket}, Prefix = {Prefix}, Endpoint = {EndpointDescription}, Region = {Region}, ");
        builder.Append($"AccessKey = {AccessKey}, SecretKey = ***, PartSize = {PartSize}, Retry = {Retry}");
        return true;
    }
}
