using System.Globalization;
using Lifeboat.Buckets;
using Lifeboat.Storage;

namespace Lifeboat.Tests.Buckets;

/// <summary>
/// A source bucket as pure logic, for the index's tests: versions and delete markers per key (or one object per key
/// when unversioned), listed as S3 lists them. Content goes into <paramref name="content"/>, where the rig reads it.
/// </summary>
public sealed class FakeSourceBucket(bool versioned, Dictionary<(string Key, string VersionId), byte[]> content)
{
    private readonly SortedDictionary<string, List<Version>> _keys = new(ObjectKeyComparer.Instance);
    private int _nextVersion;

    public bool Versioned => versioned;

    /// <summary>Writes <paramref name="text"/> under <paramref name="key"/>; returns the new version id.</summary>
    public string Put(string key, string text, DateTimeOffset at)
    {
        var bytes = BucketIndexRig.Bytes(text);
        var id = versioned ? $"v{++_nextVersion:D4}" : BucketObjectRecord.NullVersion;
        var versions = VersionsOf(key);
        if (!versioned)
            versions.Clear();
        versions.Insert(0, new Version(id, at, bytes));
        content[(key, id)] = bytes;
        return id;
    }

    /// <summary>Deletes <paramref name="key"/>: a delete marker when versioned, gone otherwise.</summary>
    public string? Delete(string key, DateTimeOffset at)
    {
        if (!versioned)
        {
            _keys.Remove(key);
            return null;
        }

        var id = $"m{++_nextVersion:D4}";
        VersionsOf(key).Insert(0, new Version(id, at, null));
        return id;
    }

    /// <summary>Removes one version for good (a lifecycle expiry, or a delete by version id).</summary>
    public void RemoveVersion(string key, string versionId)
    {
        var versions = VersionsOf(key);
        versions.RemoveAll(v => v.Id == versionId);
        if (versions.Count == 0)
            _keys.Remove(key);
    }

    /// <summary>The listing, in S3's order.</summary>
    public List<ListingEntry> Listing() =>
        [.. _keys.SelectMany(k => k.Value.Select((v, i) => new ListingEntry(
            k.Key, v.Id, i == 0, v.Bytes is null, v.At, v.Bytes?.Length ?? 0, v.Bytes is null ? null : ETagOf(v.Bytes))))];

    private List<Version> VersionsOf(string key)
    {
        if (!_keys.TryGetValue(key, out var versions))
            _keys[key] = versions = [];
        return versions;
    }

    // Like a single-part ETag: a digest of the bytes (MD5 on S3; any digest serves the tests).
    private static string ETagOf(byte[] bytes) => BucketIndexRig.ShaOf(bytes)[..32];

    public static DateTimeOffset At(string text) => DateTimeOffset.Parse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal);

    private sealed record Version(string Id, DateTimeOffset At, byte[]? Bytes);
}
