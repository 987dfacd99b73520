using Lifeboat.Buckets;
using Lifeboat.Buckets.Content;
using Lifeboat.Buckets.Source;
using Lifeboat.IntegrationTests.Infrastructure;
using Lifeboat.Repository;

namespace Lifeboat.IntegrationTests.Buckets;

/// <summary>One object's read and store against radosgw: what it records when the object is there, and when it is gone.</summary>
public sealed class ObjectTransferTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task An_object_deleted_between_listing_and_read_is_reported_gone_and_the_next_read_goes_on()
    {
        await using var source = await SourceBucket.CreateAsync();
        await using var repo = await TestRepository.CreateLocalAsync();
        await source.PutAsync("stays.txt", "here"u8.ToArray());
        await source.PutAsync("goes.txt", "soon gone"u8.ToArray());
        var listed = new List<ListingEntry>();
        using var client = new SourceBucketClient(source.Endpoint);
        await foreach (var entry in client.ListAsync(default, versioned: false, Ct))
            listed.Add(entry);
        await source.DeleteAsync("goes.txt");
        await using var content = await BucketContentStore.OpenAsync(repo.Repository, "assets", BackupId.New(DateTimeOffset.UtcNow), Directory.CreateTempSubdirectory("lifeboat-it-spill-").FullName, cancellationToken: Ct);
        var transfer = new ObjectTransfer(client, content, new TagReading(headerTrusted: false), versioned: false);

        var gone = await transfer.RunAsync(new ReadRequest(0, listed.Single(e => e.Key == "goes.txt")), Ct);
        var read = await transfer.RunAsync(new ReadRequest(1, listed.Single(e => e.Key == "stays.txt")), Ct);

        Assert.True(gone.IsGone);
        Assert.False(read.IsGone);
        Assert.Equal(SourceBucket.ShaOf("here"u8.ToArray()), read.Content!.Sha256);
        Assert.Null(read.Replaced);
    }

    [Fact]
    public async Task An_object_replaced_between_listing_and_read_is_recorded_with_what_the_read_found()
    {
        await using var source = await SourceBucket.CreateAsync();
        await using var repo = await TestRepository.CreateLocalAsync();
        await source.PutAsync("doc.txt", "first"u8.ToArray());
        using var client = new SourceBucketClient(source.Endpoint);
        var listed = new List<ListingEntry>();
        await foreach (var entry in client.ListAsync(default, versioned: false, Ct))
            listed.Add(entry);
        await source.PutAsync("doc.txt", "second, longer"u8.ToArray());
        await using var content = await BucketContentStore.OpenAsync(repo.Repository, "assets", BackupId.New(DateTimeOffset.UtcNow), Directory.CreateTempSubdirectory("lifeboat-it-spill-").FullName, cancellationToken: Ct);
        var transfer = new ObjectTransfer(client, content, new TagReading(headerTrusted: false), versioned: false);

        var outcome = await transfer.RunAsync(new ReadRequest(0, listed.Single()), Ct);

        Assert.Equal(SourceBucket.ShaOf("second, longer"u8.ToArray()), outcome.Content!.Sha256);
        Assert.NotNull(outcome.Replaced);
        Assert.Equal(14, outcome.Replaced.Size);
        Assert.NotEqual(listed.Single().ETag, outcome.Replaced.ETag);
    }
}
