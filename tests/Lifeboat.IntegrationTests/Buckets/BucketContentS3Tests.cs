using System.Security.Cryptography;
using Amazon.S3.Model;
using Lifeboat.Buckets.Content;
using Lifeboat.Format;
using Lifeboat.IntegrationTests.Storage;
using Lifeboat.Repository;
using Lifeboat.Storage;

namespace Lifeboat.IntegrationTests.Buckets;

/// <summary>Bucket content on the test S3 server (radosgw): ranged reads of packs, packs of one through multipart.</summary>
public sealed class BucketContentS3Tests : IAsyncLifetime
{
    private static readonly string RunPrefix = DateTime.UtcNow.ToString("yyyyMMddTHHmmss", System.Globalization.CultureInfo.InvariantCulture);

    private readonly string _prefix = $"content-{RunPrefix}/{Guid.NewGuid():N}";
    private readonly string _dir = Directory.CreateTempSubdirectory("lifeboat-content-s3-").FullName;
    private readonly BucketContentLayout _layout = new("uploads");
    private BackupRepository _repository = null!;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync()
    {
        await S3TestServer.EnsureSharedBucketAsync();
        var keyFile = Path.Combine(_dir, "repo.key");
        KeyFile.Create(keyFile);
        // The smallest part size S3 allows, so a 20 MiB content takes several parts.
        var store = new S3ObjectStore(S3TestServer.Location(S3TestServer.SharedBucket, _prefix));
        _repository = await BackupRepository.InitAsync(store, KeySecret.FromKeyFile(keyFile), new EnvelopeOptions(3, 1 << 20, 0), Ct);
    }

    public async ValueTask DisposeAsync()
    {
        await _repository.DisposeAsync();
        await S3TestServer.EmptyAsync(S3TestServer.SharedBucket, _prefix + "/", removeBucket: false);
        Directory.Delete(_dir, recursive: true);
    }

    [Fact]
    public async Task Small_contents_are_read_back_from_their_pack_by_ranged_gets_one_by_one_and_in_pack_order()
    {
        var contents = Enumerable.Range(0, 300).Select(i => RandomNumberGenerator.GetBytes(10 + (i * 97))).ToList();
        await using (var store = await OpenRunAsync())
        {
            foreach (var content in contents)
                await store.StoreSmallAsync(content, null, Ct);
            await store.FinishAsync(Ct);
        }

        var reader = await ContentReader.OpenAsync(_repository, _layout, null, Ct);
        foreach (var content in contents.Where((_, i) => i % 37 == 0))
        {
            await using var stream = await reader.OpenAsync(ContentDigest.Of(content), content.Length, Ct);
            var read = new MemoryStream();
            await stream.CopyToAsync(read, Ct);
            Assert.Equal(content, read.ToArray());
        }

        var ordered = contents.Select(c => reader.Locate(ContentDigest.Of(c))!).OrderBy(l => l.Pack, StringComparer.Ordinal).ThenBy(l => l.Offset).ToList();
        var batch = await reader.ReadInPackOrderAsync(ordered.ToAsyncEnumerable(), Ct).ToListAsync(Ct);
        Assert.All(batch, b => Assert.Null(b.Error));
        Assert.Equal(ordered.Select(l => l.Sha256), batch.Select(b => ContentDigest.Of(b.Content)));
    }

    [Fact]
    public async Task A_large_content_goes_up_as_a_multipart_pack_of_one_reads_back_and_a_duplicate_leaves_no_upload_behind()
    {
        var content = new byte[20 << 20];
        new Random(20).NextBytes(content);
        string sha;
        await using (var store = await OpenRunAsync())
        {
            sha = (await StoreLargeAsync(store, content)).Sha256;
            var duplicate = await StoreLargeAsync(store, content);
            Assert.Equal(0, duplicate.NewStoredBytes);
            await store.FinishAsync(Ct);
        }

        var packs = await KeysAsync(_layout.PacksPrefix);
        Assert.Single(packs);
        using var client = S3TestServer.RawClient();
        var uploads = await client.ListMultipartUploadsAsync(new ListMultipartUploadsRequest { BucketName = S3TestServer.SharedBucket, Prefix = _prefix + "/" }, Ct);
        Assert.Empty(uploads.MultipartUploads ?? []);
        var head = await client.GetObjectMetadataAsync(S3TestServer.SharedBucket, $"{_prefix}/{packs[0]}", Ct);
        // 20 MiB and the envelope's tags are a little more than four 5 MiB parts.
        Assert.EndsWith("-5\"", head.ETag, StringComparison.Ordinal);

        var reader = await ContentReader.OpenAsync(_repository, _layout, null, Ct);
        await using var stream = await reader.OpenAsync(ContentDigest.Parse(sha, "test"), content.Length, Ct);
        Assert.Equal(SHA256.HashData(content), await SHA256.HashDataAsync(stream, Ct));
        var report = await new ContentCheck(_repository, _layout).RunAsync(null, 1.0, Ct);
        Assert.Empty(report.Problems);
    }

    private Task<BucketContentStore> OpenRunAsync() =>
        BucketContentStore.OpenAsync(_repository, _layout.Name, BackupId.New(DateTimeOffset.UtcNow), Path.Combine(_dir, "spill"), cancellationToken: Ct);

    private static async Task<Lifeboat.Buckets.ContentRef> StoreLargeAsync(BucketContentStore store, byte[] content)
    {
        await using var upload = await store.BeginLargeAsync(null, Ct);
        for (var offset = 0; offset < content.Length; offset += 1 << 20)
            await upload.WriteAsync(content.AsMemory(offset, Math.Min(1 << 20, content.Length - offset)), Ct);
        return await upload.CompleteAsync(Ct);
    }

    private async Task<List<string>> KeysAsync(string prefix)
    {
        var keys = new List<string>();
        await foreach (var info in _repository.Store.ListAsync(prefix, Ct))
            keys.Add(info.Key);
        return keys;
    }
}
