using System.Text;
using Lifeboat.Storage;

namespace Lifeboat.Buckets.Source;

/// <summary>Where a source bucket is and how to sign in to it: any S3-compatible server (MinIO, Ceph, AWS).</summary>
/// <param name="Endpoint">The server's URL (path-style addressing is used), or null for AWS itself.</param>
/// <param name="Region">The signing region.</param>
/// <param name="Bucket">The source bucket.</param>
/// <param name="Prefix">The key prefix backed up, verbatim as S3 matches it ("" for the whole bucket).</param>
/// <param name="AccessKey">The access key id.</param>
/// <param name="SecretKey">The secret key; never printed.</param>
public sealed record BucketEndpoint(string? Endpoint, string Region, string Bucket, string Prefix, string AccessKey, string SecretKey)
{
    /// <summary>"s3://bucket/prefix at endpoint", for messages.</summary>
    public string Describe() => $"s3://{Bucket}/{Prefix} at {Location.EndpointDescription}";

    /// <summary>The storage layer's description of the same place, for its client factory, retries and error wording.</summary>
    internal S3Location Location => new(Bucket, Prefix, Endpoint, Region, AccessKey, SecretKey);

    /// <summary>Refuses a bucket name or endpoint that cannot be used, before any request.</summary>
    public void Validate()
    {
        if (string.IsNullOrWhiteSpace(Bucket))
            throw new LifeboatException("the source bucket has no name", "name the bucket to back up", FailureKind.Usage);
        if (Endpoint is { } endpoint && !Uri.TryCreate(endpoint, UriKind.Absolute, out _))
            throw new LifeboatException($"S3 endpoint '{endpoint}' of source bucket {Bucket} is not a URL", "write it like http://127.0.0.1:9000", FailureKind.Usage);
    }

    // Records print every property; the secret key must never reach a log or an error message.
    private bool PrintMembers(StringBuilder builder)
    {
        builder.Append($"Endpoint = {Location.EndpointDescription}, Region = {Region}, Bucket = {Bucket}, Prefix = {Prefix}, AccessKey = {AccessKey}, SecretKey = ***");
        return true;
    }
}
