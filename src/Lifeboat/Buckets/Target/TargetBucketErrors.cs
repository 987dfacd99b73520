using Lifeboat.Buckets.Source;
using Lifeboat.Storage;

namespace Lifeboat.Buckets.Target;

/// <summary>
/// The storage layer's S3 error wording, pointed at the bucket a restore writes into: its remedies name the target's
/// endpoint, credentials and bucket, not the repository's or the source's.
/// </summary>
internal static class TargetBucketErrors
{
    /// <summary>The operator-facing error for a failure while doing <paramref name="action"/> on <paramref name="objectName"/>.</summary>
    public static LifeboatException Translate(Exception exception, BucketEndpoint endpoint, string action, string objectName)
    {
        var translated = S3ErrorTranslation.Translate(exception, endpoint.Location, action, objectName);
        return translated.Remedy?.Action switch
        {
            RemedyAction.CreateRepository => BucketMissing(endpoint, exception),
            RemedyAction.CheckS3Endpoint => Pointed(translated, RemedyAction.CheckTargetS3Endpoint),
            RemedyAction.CheckS3Credentials => Pointed(translated, RemedyAction.CheckTargetS3Credentials),
            _ => translated,
        };
    }

    /// <summary>The error for a target bucket that does not exist.</summary>
    public static LifeboatException BucketMissing(BucketEndpoint endpoint, Exception? inner = null) =>
        new($"target bucket {endpoint.Bucket} does not exist at {endpoint.Location.EndpointDescription}", "nothing was written", FailureKind.Usage, inner)
        {
            Remedy = new(RemedyAction.CheckTargetS3Bucket),
        };

    private static LifeboatException Pointed(LifeboatException translated, RemedyAction action) =>
        new(translated.Message, translated.Hint, translated.Kind, translated.InnerException)
        {
            Remedy = new(action),
        };
}
