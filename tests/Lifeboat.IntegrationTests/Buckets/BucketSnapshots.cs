using Amazon.S3.Model;
using Lifeboat.Buckets;
using Lifeboat.Buckets.Content;
using Lifeboat.Buckets.Index;
using Lifeboat.IntegrationTests.Infrastructure;
using Lifeboat.Repository;

namespace Lifeboat.IntegrationTests.Buckets;

/// <summary>What a test expects one object to be: its bytes and what a restore must bring back with them.</summary>
internal sealed record ExpectedObject(byte[] Content, string? ContentType = null, IReadOnlyDictionary<string, string>? Metadata = null, IReadOnlyDictionary<string, string>? Tags = null);

/// <summary>Runs bucket backups on a test repository and reads back what their snapshots record.</summary>
internal static class BucketSnapshots
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public static BucketSource SourceOf(SourceBucket bucket, string name = "assets") => new() { Name = name, Endpoint = bucket.Endpoint, Transfers = 4 };

    public static Task<BucketBackupResult> BackupAsync(TestRepository repo, SourceBucket bucket, string name = "assets") =>
        new BucketBackup(repo.Repository, SilentReporter.Instance).RunAsync(SourceOf(bucket, name), ownLock: null, Ct);

    /// <summary>Every record of a snapshot's index, in index order.</summary>
    public static async Task<List<BucketObjectRecord>> RecordsAsync(BackupRepository repository, BackupManifest manifest)
    {
        var reader = new SnapshotIndexReader(repository, new BucketIndexLayout(manifest.Name));
        var index = await reader.OpenAsync(manifest.Objects.Single(), Ct);
        var records = new List<BucketObjectRecord>();
        await foreach (var record in reader.ReadAllAsync(index.Root, Ct))
            records.Add(record);
        return records;
    }

    /// <summary>Asserts that <paramref name="state"/> (records of current objects) is exactly <paramref name="expected"/>, and that each content reads back from the repository.</summary>
    public static async Task AssertStateAsync(BackupRepository repository, string name, IReadOnlyList<BucketObjectRecord> state, IReadOnlyDictionary<string, ExpectedObject> expected)
    {
        Assert.Equal(expected.Keys.Order(Lifeboat.Storage.ObjectKeyComparer.Instance), state.Select(r => r.Key));
        await using var content = await BucketContentStore.OpenAsync(repository, name, BackupId.New(DateTimeOffset.UtcNow), Directory.CreateTempSubdirectory("lifeboat-it-read-").FullName, cancellationToken: Ct);
        foreach (var record in state)
        {
            var want = expected[record.Key];
            Assert.Equal(want.Content.Length, record.Size);
            Assert.Equal(SourceBucket.ShaOf(want.Content), record.Sha256);
            if (want.ContentType is not null)
                Assert.Equal(want.ContentType, record.Attributes.ContentType);
            Assert.Equal(want.Metadata ?? new Dictionary<string, string>(), record.Attributes.Metadata);
            Assert.Equal(want.Tags ?? new Dictionary<string, string>(), record.Attributes.Tags);
            await using var stream = await content.OpenContentAsync(record.Sha256!, record.Size, Ct);
            using var copy = new MemoryStream();
            await stream.CopyToAsync(copy, Ct);
            Assert.Equal(SourceBucket.ShaOf(want.Content), SourceBucket.ShaOf(copy.ToArray()));
        }
    }

    public static async Task<List<BucketObjectRecord>> ToListAsync(IAsyncEnumerable<BucketObjectRecord> records)
    {
        var list = new List<BucketObjectRecord>();
        await foreach (var record in records)
            list.Add(record);
        return list;
    }

    public static Action<PutObjectRequest> WithTags(IReadOnlyDictionary<string, string> tags) =>
        request => request.TagSet = [.. tags.Select(t => new Tag { Key = t.Key, Value = t.Value })];
}
