namespace Lifeboat.Buckets;

/// <summary>
/// Which end of a bucket transfer an S3 error came from, and so what its message calls the bucket and which remedies
/// point at its settings: a source is read with the configured endpoint and keys, a target written with the ones given for it.
/// </summary>
/// <param name="Word">"source" or "target", as messages name the bucket.</param>
/// <param name="MissingHint">What a message about a missing bucket adds, or null.</param>
/// <param name="CheckEndpoint">The remedy for an endpoint that does not answer.</param>
/// <param name="CheckCredentials">The remedy for keys the server rejects.</param>
/// <param name="CheckBucket">The remedy for a bucket that does not exist.</param>
internal sealed record BucketSide(string Word, string? MissingHint, RemedyAction CheckEndpoint, RemedyAction CheckCredentials, RemedyAction CheckBucket)
{
    /// <summary>The bucket a backup, versions or mirror reads.</summary>
    public static BucketSide Source { get; } =
        new("source", null, RemedyAction.CheckSourceS3Endpoint, RemedyAction.CheckSourceS3Credentials, RemedyAction.CheckSourceS3Bucket);

    /// <summary>The bucket a restore or mirror writes into; nothing is written before it answered.</summary>
    public static BucketSide Target { get; } =
        new("target", "nothing was written", RemedyAction.CheckTargetS3Endpoint, RemedyAction.CheckTargetS3Credentials, RemedyAction.CheckTargetS3Bucket);
}
