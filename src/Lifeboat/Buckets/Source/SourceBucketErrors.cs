using Lifeboat.Storage;

namespace Lifeboat.Buckets.Source;

/// <summary>
/// The storage layer's S3 error wording, pointed at the source bucket: its remedies name the source's endpoint,
/// credentials and bucket, not the repository's (a missing source bucket is not a repository to create).
/// </summary>
internal static class SourceBucketErrors
{
    /// <summary>The operator-facing error for a failure while doing <paramref name="action"/> on <paramref name="objectName"/>.</summary>
    public static LifeboatException Translate(Exception exception, BucketEndpoint endpoint, string action, string objectName)
    {
        var translated = S3ErrorTranslation.Translate(exception, endpoint.Location, action, objectName);
        return translated.Remedy?.Action switch
        {
            RemedyAction.CreateRepository => BucketMissing(endpoint, exception),
            RemedyAction.CheckS3Endpoint => Pointed(translated, RemedyAction.CheckSourceS3Endpoint),
            RemedyAction.CheckS3Credentials => Pointed(translated, RemedyAction.CheckSourceS3Credentials),
            _ => translated,
        };
    }

    /// <summary>The error for a source bucket that does not exist.</summary>
    public static LifeboatException BucketMissing(BucketEndpoint endpoint, Exception? inner = null) =>
        new($"source bucket {endpoint.Bucket} does not exist at {endpoint.Location.EndpointDescription}", kind: FailureKind.Usage, inner: inner)
        {
            Remedy = new(RemedyAction.CheckSourceS3Bucket),
        };

    private static LifeboatException Pointed(LifeboatException translated, RemedyAction action) =>
        new(translated.Message, translated.Hint, translated.Kind, translated.InnerException)
        {
            Remedy = new(action),
        };
}
