using System.Net;
using System.Net.Sockets;
using Amazon.Runtime;

namespace Lifeboat.Storage;

/// <summary>Decides whether an S3 failure may succeed when tried again.</summary>
internal static class S3TransientErrors
{
    private static readonly HashSet<string> ThrottlingCodes = new(StringComparer.Ordinal)
    {
        "SlowDown", "Throttling", "ThrottlingException", "RequestThrottled", "RequestTimeout", "InternalError", "ServiceUnavailable",

        // AWS's 409 while another conditional write of the key is in flight; it asks to be retried.
        "ConditionalRequestConflict",
    };

    /// <summary>True for 5xx, throttling, timeouts and network failures; false for the caller's own cancellation.</summary>
    public static bool IsTransient(Exception exception, CancellationToken cancellationToken) => exception switch
    {
        OperationCanceledException => !cancellationToken.IsCancellationRequested,
        AmazonServiceException { StatusCode: not 0 } service => IsTransientStatus(service),
        HttpRequestException or IOException or SocketException or TimeoutException => true,
        { InnerException: { } inner } => IsTransient(inner, cancellationToken),
        _ => false,
    };

    private static bool IsTransientStatus(AmazonServiceException service) =>
        (int)service.StatusCode >= 500
        || service.StatusCode == HttpStatusCode.TooManyRequests
        || (service.ErrorCode is { } code && ThrottlingCodes.Contains(code))
        || IsUnparsedRequest(service);

    // A 400 without an S3 error code means the server could not even parse the request. radosgw does
    // that to the next request on a connection after it answered a PUT early (403, 404) and left body
    // bytes unread; it then drops the connection, so a retry on a fresh one succeeds.
    private static bool IsUnparsedRequest(AmazonServiceException service) =>
        service.StatusCode == HttpStatusCode.BadRequest && service.ErrorCode is null or "BadRequest";
}
