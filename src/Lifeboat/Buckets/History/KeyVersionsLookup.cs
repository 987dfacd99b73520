using Lifeboat.Buckets.Index;
using Lifeboat.Buckets.Source;
using Lifeboat.Repository;
using Lifeboat.Storage;

namespace Lifeboat.Buckets.History;

/// <summary>
/// Looks up one key's history (design §6): the source's own versions (one listing with the key as prefix, stopping at
/// the first other key) joined with the records of the newest snapshot (only the segment whose range holds the key).
/// A source that cannot be listed leaves Lifeboat's side standing, with the reason.
/// </summary>
public sealed class KeyVersionsLookup(BackupRepository repository)
{
    // Looked up by hand: a dead endpoint is reported in seconds, not after a backup's patience.
    private static readonly RetrySettings LookupRetry = new(2, TimeSpan.FromMilliseconds(250), TimeSpan.FromSeconds(2));

    /// <summary>The history of <paramref name="key"/> in <paramref name="source"/>.</summary>
    public async Task<KeyVersions> RunAsync(BucketSource source, string key, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(source);
        if (string.IsNullOrEmpty(key))
            throw new LifeboatException("no key was given", "name the object's key as the bucket spells it", FailureKind.Usage);
        var notes = new List<string>();
        if (!key.StartsWith(source.Endpoint.Prefix, StringComparison.Ordinal))
            notes.Add($"'{key}' lies outside the prefix '{source.Endpoint.Prefix}' that {source.Describe()} backs up, so no snapshot holds it");
        var (snapshot, records) = await HeldAsync(source, key, notes, cancellationToken);
        var (listed, failure) = await ListAtSourceAsync(source.Endpoint, key, cancellationToken);
        return new KeyVersions(key, KeyHistory.Merge(listed, records), snapshot, failure, notes);
    }

    /// <summary>The newest snapshot of this bucket and its records of the key; none when there is no snapshot of it.</summary>
    private async Task<(string? Snapshot, IReadOnlyList<BucketObjectRecord> Records)> HeldAsync(
        BucketSource source, string key, List<string> notes, CancellationToken cancellationToken)
    {
        var manifest = await repository.FindNewestAsync(BucketSnapshotInfo.SourceType, source.Name, cancellationToken, BucketSnapshotInfo.Kind);
        if (manifest is null)
        {
            notes.Add($"{source.Describe()} has no snapshot yet");
            return (null, []);
        }

        var info = BucketSnapshotInfo.Of(manifest);
        if (info.Bucket != source.Endpoint.Bucket || (info.Prefix ?? "") != source.Endpoint.Prefix)
        {
            notes.Add($"the newest snapshot of '{source.Name}' ({manifest.Id}) is of s3://{info.Bucket}/{info.Prefix}, not of this bucket; its history is left out");
            return (null, []);
        }

        var reader = new SnapshotIndexReader(repository, new BucketIndexLayout(source.Name));
        var rootObject = manifest.Objects.FirstOrDefault(o => o.Role == BucketIndexLayout.RootRole)
            ?? throw new DamagedRecordException($"snapshot {manifest.Id} of '{source.Name}' names no index root") { Remedy = new(RemedyAction.CheckRepository) };
        var index = await reader.OpenAsync(rootObject, cancellationToken);
        return (manifest.Id, await reader.ReadKeyAsync(index.Root, key, cancellationToken));
    }

    /// <summary>The source's rows of exactly <paramref name="key"/>, or why they could not be listed.</summary>
    private static async Task<(IReadOnlyList<ListingEntry> Rows, LifeboatException? Failure)> ListAtSourceAsync(
        BucketEndpoint endpoint, string key, CancellationToken cancellationToken)
    {
        var rows = new List<ListingEntry>();
        try
        {
            // The key as the prefix: its own rows come first, and the listing stops at the first longer key.
            using var client = new SourceBucketClient(endpoint with { Prefix = key }, LookupRetry);
            var versioned = await client.IsVersionedAsync(cancellationToken);
            await foreach (var entry in client.ListAsync(new KeyRange(null, key), versioned, cancellationToken))
            {
                if (entry.Key == key)
                    rows.Add(entry);
            }

            return (rows, null);
        }
        catch (LifeboatException e)
        {
            return ([], e);
        }
    }
}
