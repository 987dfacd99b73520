using Lifeboat.Buckets.Content;
using Lifeboat.Buckets.Index;
using Lifeboat.Repository;

namespace Lifeboat.Buckets.History;

/// <summary>
/// One object of a bucket snapshot read back, as its source held it: the key's current object in that snapshot, or
/// one of its versions. The bytes are verified (GCM, then length and SHA-256) before they are handed out: an object
/// below the pack threshold is read whole first, so damage leaves nothing written; a larger one passes only
/// authenticated chunks and fails at the first damaged one.
/// </summary>
public sealed class SnapshotObject(BackupRepository repository)
{
    /// <summary>
    /// Opens <paramref name="key"/> of <paramref name="snapshot"/>: its version <paramref name="version"/> (a source
    /// version id, or at least 8 hex digits of the content's SHA-256), or its current object when null. Damaged catalog
    /// segments go to <paramref name="onDamaged"/> and are left out.
    /// </summary>
    public async Task<Stream> OpenAsync(BackupManifest snapshot, string key, string? version, Action<string>? onDamaged, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(snapshot);
        BucketSnapshotInfo.Of(snapshot);
        var layout = new BucketIndexLayout(snapshot.Name);
        var reader = new SnapshotIndexReader(repository, layout);
        var rootObject = snapshot.Objects.FirstOrDefault(o => o.Role == BucketIndexLayout.RootRole)
            ?? throw new DamagedRecordException($"snapshot {snapshot.Id} of '{snapshot.Name}' names no index root") { Remedy = new(RemedyAction.CheckRepository) };
        var index = await reader.OpenAsync(rootObject, cancellationToken);
        var record = Choose(await reader.ReadKeyAsync(index.Root, key, cancellationToken), snapshot.Id, key, version);
        var sha = ContentDigest.TryParse(record.Sha256, out var parsed)
            ? parsed
            : throw new DamagedRecordException($"snapshot {snapshot.Id} records '{record.Sha256}' as the content of '{key}', which is not a SHA-256") { Remedy = new(RemedyAction.CheckRepository) };
        if (record.Size == 0 && sha == ContentDigest.Empty)
            return new MemoryStream([], writable: false);
        var content = await ContentReader.OpenAsync(
            repository, new BucketContentLayout(snapshot.Name), (segment, e) => onDamaged?.Invoke($"catalog segment '{segment}' is left out: {e.Message}"), cancellationToken);
        var stream = await content.OpenAsync(sha, record.Size, cancellationToken);
        return record.Size < PackFormat.LargeFrom ? await ReadWholeAsync(stream, record.Size, cancellationToken) : stream;
    }

    /// <summary>
    /// The record of one key group (newest first) that is wanted: the version <paramref name="version"/>, or the object
    /// the snapshot's run listed as current. Refuses a key the snapshot does not hold, a key deleted at that moment, and
    /// a version that is not there or is a delete marker, each naming the key.
    /// </summary>
    public static BucketObjectRecord Choose(IReadOnlyList<BucketObjectRecord> group, string snapshotId, string key, string? version)
    {
        ArgumentNullException.ThrowIfNull(group);
        if (group.Count == 0)
            throw new LifeboatException($"snapshot {snapshotId} holds no object '{key}'", "a key is matched whole and exactly, case and slashes included", FailureKind.Usage);
        if (version is null)
            return Current(group, snapshotId, key);
        if (PointInTimeView.FindVersion(group, version) is { } found)
            return found;
        var marker = group.FirstOrDefault(r => r.DeleteMarker && r.VersionId == version);
        var problem = marker is null
            ? $"snapshot {snapshotId} holds no version '{version}' of '{key}'"
            : $"version '{version}' of '{key}' is a delete marker (made {IndexTime.ToText(marker.LastModified)}), which has no content";
        throw new LifeboatException(problem, "a version is named by the source's version id, or by at least 8 hex digits of its content's SHA-256", FailureKind.Usage)
        {
            Remedy = new(RemedyAction.ListKeyVersions, key),
        };
    }

    private static BucketObjectRecord Current(IReadOnlyList<BucketObjectRecord> group, string snapshotId, string key)
    {
        var current = group.FirstOrDefault(r => r.Latest);
        if (current is { DeleteMarker: false })
            return current;
        var problem = current is null
            ? $"'{key}' had no current object when snapshot {snapshotId} was taken; it holds only older versions"
            : $"'{key}' was deleted when snapshot {snapshotId} was taken (delete marker of {IndexTime.ToText(current.LastModified)})";
        throw new LifeboatException(problem, "name one of its older versions", FailureKind.Usage)
        {
            Remedy = new(RemedyAction.ListKeyVersions, key),
        };
    }

    private static async Task<Stream> ReadWholeAsync(Stream verified, long size, CancellationToken cancellationToken)
    {
        await using (verified)
        {
            var buffer = new MemoryStream((int)size);
            // Reading to the end is what checks the length and SHA-256.
            await verified.CopyToAsync(buffer, cancellationToken);
            buffer.Position = 0;
            return buffer;
        }
    }
}
