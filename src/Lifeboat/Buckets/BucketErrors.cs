using Lifeboat.Buckets.Source;
using Lifeboat.Storage;

namespace Lifeboat.Buckets;

/// <summary>
/// The storage layer's S3 error wording, pointed at a source or target bucket: its remedies name that bucket's
/// endpoint, credentials and bucket, not the repository's (a missing bucket here is not a repository to create).
/// </summary>
internal static class BucketErrors
{
    /// <summary>The operator-facing error for a failure while doing <paramref name="action"/> on <paramref name="objectName"/> of <paramref name="side"/>.</summary>
    public static LifeboatException Translate(Exception exception, BucketEndpoint endpoint, BucketSide side, string action, string objectName)
    {
        var translated = S3ErrorTranslation.Translate(exception, endpoint.Location, action, objectName);
        return translated.Remedy?.Action switch
        {
            RemedyAction.CreateRepository => BucketMissing(endpoint, side, exception),
            RemedyAction.CheckS3Endpoint => Pointed(translated, side.CheckEndpoint),
            RemedyAction.CheckS3Credentials => Pointed(translated, side.CheckCredentials),
            _ => translated,
        };
    }

    /// <summary>The error for a bucket of <paramref name="side"/> that does not exist.</summary>
    public static LifeboatException BucketMissing(BucketEndpoint endpoint, BucketSide side, Exception? inner = null) =>
        new($"{side.Word} bucket {endpoint.Bucket} does not exist at {endpoint.Location.EndpointDescription}", side.MissingHint, FailureKind.Usage, inner)
        {
            Remedy = new(side.CheckBucket),
        };

    private static LifeboatException Pointed(LifeboatException translated, RemedyAction action) =>
        new(translated.Message, translated.Hint, translated.Kind, translated.InnerException)
        {
            Remedy = new(action),
        };
}
