using System.Diagnostics;
using Amazon.S3.Model;
using Lifeboat.Storage;
using ByteRange = Lifeboat.Storage.ByteRange;
using S3Location = Lifeboat.Storage.S3Location;

namespace Lifeboat.IntegrationTests.Storage;

/// <summary>The conformance suite on the test S3 server (Ceph radosgw), plus what only an S3 store must get right.</summary>
public sealed partial class S3ObjectStoreConformance : ObjectStoreConformance
{
    private static readonly string RunId = DateTime.UtcNow.ToString("yyyyMMddTHHmmss", System.Globalization.CultureInfo.InvariantCulture);

    private readonly string _prefix = $"run-{RunId}/{Guid.NewGuid():N}";
    private readonly string _missingBucket = $"lifeboat-missing-{Guid.NewGuid():N}"[..40];

    protected override async Task<IObjectStore> OpenFreshStoreAsync(CancellationToken cancellationToken)
    {
        var location = S3TestServer.Location(S3TestServer.SharedBucket, _prefix);
        await S3TestServer.EnsureSharedBucketAsync();
        return new S3ObjectStore(location);
    }

    protected override IObjectStore OpenStoreWithMissingContainer() =>
        new S3ObjectStore(S3TestServer.Location(_missingBucket, "repo"));

    protected override Task RemoveContainerAsync(IObjectStore store) => S3TestServer.EmptyAsync(_missingBucket, "", removeBucket: true);

    protected override Task CleanUpAsync(IObjectStore store) => S3TestServer.EmptyAsync(S3TestServer.SharedBucket, _prefix + "/", removeBucket: false);

    [Fact]
    public async Task An_unreachable_endpoint_fails_quickly_with_a_clear_error()
    {
        var location = S3TestServer.Location("any-bucket", "repo") with
        {
            Endpoint = "http://127.0.0.1:1",
            Retry = new RetrySettings(2, TimeSpan.FromMilliseconds(50), TimeSpan.FromMilliseconds(200)),
        };
        await using var store = new S3ObjectStore(location);
        var clock = Stopwatch.StartNew();

        var listError = await Assert.ThrowsAnyAsync<LifeboatException>(() => ListAsync(store, "", Ct));
        var putError = await Assert.ThrowsAnyAsync<LifeboatException>(() => PutAsync(store, "k", [1]));
        var statError = await Assert.ThrowsAnyAsync<LifeboatException>(() => store.StatAsync("k", Ct));

        Assert.InRange(clock.Elapsed, TimeSpan.Zero, TimeSpan.FromSeconds(10));
        foreach (var error in new[] { listError, putError, statError })
        {
            Assert.StartsWith("cannot reach S3 endpoint http://127.0.0.1:1: ", error.Message, StringComparison.Ordinal);
            Assert.Contains("refused", error.Message, StringComparison.OrdinalIgnoreCase);
            Assert.Equal(new Remedy(RemedyAction.CheckS3Endpoint), error.Remedy);
        }
    }

    [Fact]
    public async Task A_wrong_secret_key_gives_the_credentials_error_without_revealing_it()
    {
        var location = S3TestServer.Location(S3TestServer.SharedBucket, "repo") with { SecretKey = "not-the-secret-key" };
        await using var store = new S3ObjectStore(location);

        var errors = new[]
        {
            await Assert.ThrowsAnyAsync<LifeboatException>(() => ListAsync(store, "", Ct)),
            await Assert.ThrowsAnyAsync<LifeboatException>(() => PutAsync(store, "k", [1])),
            await Assert.ThrowsAnyAsync<LifeboatException>(() => store.StatAsync("k", Ct)),
            await Assert.ThrowsAnyAsync<LifeboatException>(() => store.OpenReadAsync("k", null, Ct)),
        };

        foreach (var error in errors)
        {
            var expected = $"S3 rejected the credentials for bucket {S3TestServer.SharedBucket} at {location.Endpoint}";
            Assert.True(error.Message.StartsWith(expected, StringComparison.Ordinal), $"expected '{expected}…', got: {error}");
            Assert.DoesNotContain("not-the-secret-key", error.Message + error.Hint, StringComparison.Ordinal);
            Assert.Equal(FailureKind.Usage, error.Kind);
        }
    }

    [Fact]
    public async Task A_rejected_write_does_not_spoil_the_next_request_on_its_connection()
    {
        // radosgw answers a PUT with bad credentials before reading its body; the leftover bytes made
        // the next request on that connection a bodiless "400 Bad Request" about one time in twenty.
        var location = S3TestServer.Location(S3TestServer.SharedBucket, "repo") with
        {
            SecretKey = "not-the-secret-key",
            Retry = new RetrySettings(3, TimeSpan.FromMilliseconds(10), TimeSpan.FromMilliseconds(50)),
        };
        await using var store = new S3ObjectStore(location);

        for (var i = 0; i < 100; i++)
        {
            await Assert.ThrowsAnyAsync<LifeboatException>(() => PutAsync(store, "k", new byte[1 + (i * 37)]));
            var error = await Assert.ThrowsAnyAsync<LifeboatException>(() => store.StatAsync("k", Ct));
            Assert.True(error.Message.StartsWith("S3 rejected the credentials", StringComparison.Ordinal), $"attempt {i}: {error}");
        }
    }

    [Fact]
    public async Task A_missing_bucket_error_names_the_bucket_and_the_endpoint_for_every_operation()
    {
        await using var store = OpenStoreWithMissingContainer();
        var endpoint = ((S3ObjectStore)store).S3.Endpoint;

        var errors = new[]
        {
            await Assert.ThrowsAnyAsync<LifeboatException>(() => ListAsync(store, "", Ct)),
            await Assert.ThrowsAnyAsync<LifeboatException>(() => store.StatAsync("k", Ct)),
            await Assert.ThrowsAnyAsync<LifeboatException>(() => store.OpenReadAsync("k", null, Ct)),
            await Assert.ThrowsAnyAsync<LifeboatException>(() => PutAsync(store, "k", [1])),
            await Assert.ThrowsAnyAsync<LifeboatException>(() => store.DeleteAsync("k", Ct)),
        };

        foreach (var error in errors)
        {
            Assert.True(error.Message == $"bucket {_missingBucket} does not exist at {endpoint}", $"got: {error}");
            Assert.Equal(FailureKind.Usage, error.Kind);
            Assert.Equal(new Remedy(RemedyAction.CreateRepository), error.Remedy);
        }
    }

    [Fact]
    public async Task An_abandoned_multipart_upload_is_aborted_on_the_server()
    {
        await using (var upload = await Store.CreateAsync("abandoned", Ct))
            await BytePattern.WriteAsync(upload, (3L * PartSize) + 1, Ct);

        using var client = S3TestServer.RawClient();
        var uploads = await client.ListMultipartUploadsAsync(
            new ListMultipartUploadsRequest { BucketName = S3TestServer.SharedBucket, Prefix = _prefix + "/" }, Ct);
        Assert.Empty(uploads.MultipartUploads ?? []);
    }

    [Fact]
    public async Task Keys_live_under_the_prefix_and_other_prefixes_stay_invisible()
    {
        await PutAsync("mine", [1]);
        await using var neighbour = new S3ObjectStore(S3TestServer.Location(S3TestServer.SharedBucket, _prefix + "-neighbour"));
        await PutAsync(neighbour, "theirs", [2]);
        try
        {
            using var client = S3TestServer.RawClient();
            var raw = await client.GetObjectMetadataAsync(S3TestServer.SharedBucket, _prefix + "/mine", Ct);
            Assert.Equal(1, raw.ContentLength);
            Assert.Equal(["mine"], (await ListAsync("")).Select(o => o.Key));
            Assert.Equal(["theirs"], (await ListAsync(neighbour, "", Ct)).Select(o => o.Key));
        }
        finally
        {
            await S3TestServer.EmptyAsync(S3TestServer.SharedBucket, _prefix + "-neighbour/", removeBucket: false);
        }
    }

    [Fact]
    public async Task Store_location_and_settings_never_show_the_secret_key()
    {
        var location = S3TestServer.Location(S3TestServer.SharedBucket, _prefix);
        await using var store = new S3ObjectStore(location);

        Assert.DoesNotContain(location.SecretKey, store.Location, StringComparison.Ordinal);
        Assert.DoesNotContain(location.SecretKey, location.ToString(), StringComparison.Ordinal);
        Assert.Equal($"s3://{S3TestServer.SharedBucket}/{_prefix}/ at {location.Endpoint}", store.Location);
    }

    [Fact]
    public async Task Transient_failures_of_a_write_are_retried_until_it_succeeds()
    {
        await using var proxy = new FaultyTcpProxy(new Uri(S3TestServer.Location(S3TestServer.SharedBucket, "").Endpoint!));
        await using var store = OpenThrough(proxy);
        proxy.Enqueue(new ConnectionFault.ServiceUnavailable(), times: 2);

        await PutAsync(store, "retried", [1, 2, 3]);

        Assert.Equal(3, proxy.Connections);
        Assert.Equal([1, 2, 3], await ReadAsync("retried"));
    }

    [Fact]
    public async Task Transient_failures_of_a_listing_are_retried_until_it_succeeds()
    {
        await PutAsync("listed", [1]);
        await using var proxy = new FaultyTcpProxy(new Uri(S3TestServer.Location(S3TestServer.SharedBucket, "").Endpoint!));
        await using var store = OpenThrough(proxy);
        proxy.Enqueue(new ConnectionFault.Reset());
        proxy.Enqueue(new ConnectionFault.ServiceUnavailable());

        var listed = await ListAsync(store, "", Ct);

        Assert.Equal(["listed"], listed.Select(o => o.Key));
        Assert.Equal(3, proxy.Connections);
    }

    [Fact]
    public async Task Retries_are_bounded_and_end_in_a_clear_error()
    {
        await using var proxy = new FaultyTcpProxy(new Uri(S3TestServer.Location(S3TestServer.SharedBucket, "").Endpoint!));
        await using var store = OpenThrough(proxy);
        proxy.Enqueue(new ConnectionFault.ServiceUnavailable(), times: 100);

        var error = await Assert.ThrowsAnyAsync<LifeboatException>(() => store.StatAsync("k", Ct));

        Assert.Equal(3, proxy.Connections);
        Assert.Contains("HTTP 503", error.Message, StringComparison.Ordinal);
        Assert.Contains(_prefix + "/k", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Reads_resume_after_dropped_connections_without_losing_or_repeating_bytes()
    {
        const long size = (2L * PartSize) + 12345;
        await using (var upload = await Store.CreateAsync("resumed", Ct))
        {
            await BytePattern.WriteAsync(upload, size, Ct);
            await upload.CompleteAsync(Ct);
        }

        await using var proxy = new FaultyTcpProxy(new Uri(S3TestServer.Location(S3TestServer.SharedBucket, "").Endpoint!));
        await using var store = OpenThrough(proxy);
        proxy.Enqueue(new ConnectionFault.CutResponseAfter(1024 * 1024), times: 3);
        await using (var whole = await store.OpenReadAsync("resumed", null, Ct))
            Assert.Equal(size, await BytePattern.VerifyAsync(whole, 0, Ct));
        Assert.Equal(4, proxy.Connections);

        proxy.Enqueue(new ConnectionFault.CutResponseAfter(300 * 1024));
        var range = new ByteRange(1000, 2L * 1024 * 1024);
        await using (var part = await store.OpenReadAsync("resumed", range, Ct))
            Assert.Equal(range.Length, await BytePattern.VerifyAsync(part, range.Offset, Ct));
    }

    private S3ObjectStore OpenThrough(FaultyTcpProxy proxy) => new(
        S3TestServer.Location(S3TestServer.SharedBucket, _prefix) with
        {
            Endpoint = proxy.Endpoint,
            Retry = new RetrySettings(2, TimeSpan.FromMilliseconds(20), TimeSpan.FromMilliseconds(100)),
        });
}
