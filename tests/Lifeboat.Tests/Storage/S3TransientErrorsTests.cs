using System.Net;
using System.Net.Sockets;
using Amazon.Runtime;
using Amazon.S3;
using Lifeboat.Storage;

namespace Lifeboat.Tests.Storage;

public class S3TransientErrorsTests
{
    private static AmazonS3Exception Service(HttpStatusCode status, string code) => new("", ErrorType.Sender, code, "request-id", status);

    [Theory]
    [InlineData(HttpStatusCode.InternalServerError, "InternalError", true)]
    [InlineData(HttpStatusCode.ServiceUnavailable, "SlowDown", true)]
    [InlineData(HttpStatusCode.TooManyRequests, "TooManyRequests", true)]
    [InlineData(HttpStatusCode.BadRequest, "RequestTimeout", true)]
    [InlineData(HttpStatusCode.Conflict, "ConditionalRequestConflict", true)]
    [InlineData(HttpStatusCode.Conflict, "BucketAlreadyExists", false)]
    [InlineData(HttpStatusCode.PreconditionFailed, "PreconditionFailed", false)]
    [InlineData(HttpStatusCode.NotFound, "NoSuchKey", false)]
    [InlineData(HttpStatusCode.Forbidden, "SignatureDoesNotMatch", false)]
    [InlineData(HttpStatusCode.BadRequest, "InvalidArgument", false)]
    [InlineData(HttpStatusCode.BadRequest, "BadRequest", true)]
    public void Service_errors_are_transient_only_when_the_server_may_recover(HttpStatusCode status, string code, bool transient) =>
        Assert.Equal(transient, S3TransientErrors.IsTransient(Service(status, code), CancellationToken.None));

    [Fact]
    public void Network_failures_are_transient_even_when_wrapped()
    {
        var refused = new HttpRequestException("Connection refused", new SocketException((int)SocketError.ConnectionRefused));

        Assert.True(S3TransientErrors.IsTransient(refused, CancellationToken.None));
        Assert.True(S3TransientErrors.IsTransient(new AmazonClientException("wrapped", refused), CancellationToken.None));
        Assert.True(S3TransientErrors.IsTransient(new IOException("response ended prematurely"), CancellationToken.None));
    }

    [Fact]
    public void A_timeout_is_transient_but_the_callers_own_cancellation_is_not()
    {
        using var cancelled = new CancellationTokenSource();
        cancelled.Cancel();

        Assert.True(S3TransientErrors.IsTransient(new TaskCanceledException(), CancellationToken.None));
        Assert.False(S3TransientErrors.IsTransient(new OperationCanceledException(cancelled.Token), cancelled.Token));
    }

    [Fact]
    public void Programming_errors_are_not_transient() =>
        Assert.False(S3TransientErrors.IsTransient(new ArgumentException("bad"), CancellationToken.None));
}
