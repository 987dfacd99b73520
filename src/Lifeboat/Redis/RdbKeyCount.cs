using Lifeboat.Redis.Rdb;

namespace Lifeboat.Redis;

/// <summary>
/// Counts an RDB's keys per database, exactly, by reading it entry by entry (values walked, not kept) as it streams
/// through a <see cref="TeeReadStream"/> on its way to the repository. Counting is a fact recorded beside the RDB, not
/// a condition of it: an RDB this reader cannot read (a module's type) is still stored, without counts.
/// </summary>
internal static class RdbKeyCount
{
    /// <summary>
    /// Reads <paramref name="tee"/> to its end, every byte passing on to its copy, and returns each database's keys and
    /// keys with an expiry; null (with a warning) when the RDB holds what the reader cannot read, in which case the rest
    /// still passes. A failure of the stream itself (or of its copy) is thrown.
    /// </summary>
    public static async Task<IReadOnlyList<RedisKeyspace>?> CountAsync(TeeReadStream tee, string rdbName, IActivityReporter reporter, CancellationToken cancellationToken)
    {
        var counts = new SortedDictionary<int, (long Keys, long Expires)>();
        try
        {
            // The checking stream beneath the tee verifies the checksum already.
            using var reader = await RdbReader.OpenAsync(tee, rdbName, keepValues: false, verifyChecksum: false, cancellationToken);
            while (await reader.ReadAsync(cancellationToken) is { } entry)
            {
                if (entry is not RdbKeyValue key)
                    continue;
                var (keys, expires) = counts.GetValueOrDefault(key.Db);
                counts[key.Db] = (keys + 1, key.ExpireAtMs is null ? expires : expires + 1);
            }
        }
        catch (LifeboatException e) when (!tee.Broken)
        {
            reporter.Warning($"the keys of {rdbName} were not counted, so a restore can check them against the RDB's own counts only: {e.Message}");
            await tee.CopyToAsync(Stream.Null, cancellationToken);
            return null;
        }

        await tee.CopyToAsync(Stream.Null, cancellationToken);
        return [.. counts.Select(c => new RedisKeyspace(c.Key, c.Value.Keys, c.Value.Expires))];
    }
}
