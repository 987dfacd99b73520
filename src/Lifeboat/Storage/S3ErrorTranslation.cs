using System.Net;
using Amazon.Runtime;

namespace Lifeboat.Storage;

/// <summary>Turns an SDK or network failure into a <see cref="LifeboatException"/> naming the endpoint, bucket and object.</summary>
internal static class S3ErrorTranslation
{
    private static readonly HashSet<string> CredentialCodes = new(StringComparer.Ordinal)
    {
        "InvalidAccessKeyId", "SignatureDoesNotMatch", "InvalidToken", "ExpiredToken", "TokenRefreshRequired", "InvalidSecurity",
    };

    /// <summary>The operator-facing error for <paramref name="exception"/>, raised while doing <paramref name="action"/> on <paramref name="objectName"/>.</summary>
    public static LifeboatException Translate(Exception exception, S3Location location, string action, string objectName)
    {
        if (exception is LifeboatException already)
            return already;
        if (FindService(exception) is { } service)
            return FromService(service, location, action, objectName);
        if (exception is OperationCanceledException)
            return new LifeboatException(
                $"S3 endpoint {location.EndpointDescription} did not answer in time while trying to {action} {objectName}",
                "check the network path to the S3 server and its load; the request was retried", inner: exception);
        return new LifeboatException($"cannot reach S3 endpoint {location.EndpointDescription}: {Innermost(exception).Message}", inner: exception)
        {
            Remedy = new(RemedyAction.CheckS3Endpoint),
        };
    }

    private static LifeboatException FromService(AmazonServiceException service, S3Location location, string action, string objectName)
    {
        var code = service.ErrorCode ?? service.StatusCode.ToString();
        if (CredentialCodes.Contains(code))
        {
            return new LifeboatException($"S3 rejected the credentials for bucket {location.Bucket} at {location.EndpointDescription} ({code})", kind: FailureKind.Usage, inner: service)
            {
                Remedy = new(RemedyAction.CheckS3Credentials),
            };
        }

        if (code == "NoSuchBucket")
            return BucketMissing(location, service);
        if (service.StatusCode == HttpStatusCode.Forbidden)
            return new LifeboatException(
                $"S3 denied access to {action} {objectName} at {location.EndpointDescription} ({code})",
                "check that the credentials are right and their policy allows this bucket and prefix", FailureKind.Usage, service);
        var detail = string.IsNullOrWhiteSpace(service.Message) || service.Message.StartsWith("Error making request", StringComparison.Ordinal)
            ? ""
            : $": {service.Message.Trim()}";
        return new LifeboatException(
            $"S3 could not {action} {objectName} at {location.EndpointDescription}: HTTP {(int)service.StatusCode} {code}{detail}",
            "see the S3 server's log for this request; the request was retried if the failure looked transient", inner: service);
    }

    /// <summary>The error for a bucket that does not exist.</summary>
    public static LifeboatException BucketMissing(S3Location location, Exception? inner = null) =>
        new($"bucket {location.Bucket} does not exist at {location.EndpointDescription}", kind: FailureKind.Usage, inner: inner)
        {
            Remedy = new(RemedyAction.CreateRepository),
        };

    private static AmazonServiceException? FindService(Exception exception)
    {
        for (Exception? e = exception; e is not null; e = e.InnerException)
        {
            if (e is AmazonServiceException { StatusCode: not 0 } service)
                return service;
        }

        return null;
    }

    private static Exception Innermost(Exception exception)
    {
        // Socket errors say "Connection refused"; the HttpRequestException around them adds the address.
        var e = exception;
        while (e.InnerException is { } inner && e is not HttpRequestException)
            e = inner;
        return e;
    }
}
