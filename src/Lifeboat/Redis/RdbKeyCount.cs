using Lifeboat.Redis.Rdb;

namespace Lifeboat.Redis;

/// <summary>
/// Counts an RDB's keys per database, exactly, by walking it key by key (<see cref="RdbReader.CountKeysAsync"/>: nothing
/// kept or allocated per key) as it streams through a <see cref="TeeReadStream"/> on its way to the repository. Counting is a fact recorded beside the RDB, not
/// a condition of it: an RDB whose checksum vouches for its bytes but that holds what the reader cannot read (a newer
/// Redis's type) is still stored, without counts. Without a checksum the reader's walk is the only check of its
/// structure, so there an RDB it cannot walk fails, unless what stopped it was such a type.
/// </summary>
internal static class RdbKeyCount
{
    private const int ReadSize = 64 << 10;

    /// <summary>
    /// Reads <paramref name="tee"/> to its end, every byte passing on to its copy, and returns each database's keys and
    /// keys with an expiry; null (with a warning) when the RDB holds what the reader cannot read, in which case the rest
    /// still passes. <paramref name="check"/> is the checking stream beneath the tee, which says at the end whether the
    /// RDB carried a checksum. A failure of the stream itself (or of its copy) is thrown.
    /// </summary>
    public static async Task<IReadOnlyList<RedisKeyspace>?> CountAsync(
        TeeReadStream tee, RdbCheckingStream check, string rdbName, IActivityReporter reporter, CancellationToken cancellationToken)
    {
        IReadOnlyList<RedisKeyspace> counts;
        try
        {
            // The checking stream beneath the tee verifies the checksum already. A small buffer stays in the core's cache.
            using var reader = await RdbReader.OpenAsync(tee, rdbName, keepValues: false, verifyChecksum: false, cancellationToken, bufferSize: ReadSize);
            counts = await reader.CountKeysAsync(cancellationToken);
        }
        catch (LifeboatException e) when (!tee.Broken)
        {
            // The rest passes on through the check, which throws should the checksum fail.
            await tee.CopyToAsync(Stream.Null, cancellationToken);
            if (check.Checksum is null && e.InnerException is not RdbFormatException { Unsupported: true })
            {
                throw new LifeboatException(
                    $"{e.Message}; it was sent without a checksum, so nothing else vouches for its bytes",
                    "take the backup again; if it recurs, look in the server's log, and set rdbchecksum yes on the server so damage in transit is caught",
                    inner: e);
            }

            reporter.Warning($"the keys of {rdbName} were not counted, so a restore can check them against the RDB's own counts only: {e.Message}");
            return null;
        }

        await tee.CopyToAsync(Stream.Null, cancellationToken);
        return counts;
    }
}
