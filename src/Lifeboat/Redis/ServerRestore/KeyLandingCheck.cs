using System.Globalization;

namespace Lifeboat.Redis.ServerRestore;

/// <summary>
/// After the writing pass: every database that was empty before it must now hold no more keys than were restored into
/// it, and no fewer than those restored without an expiry (the others may have expired since). A key that went into
/// another database than its own (a SELECT refused without anyone noticing) shows here; so does another client writing
/// into the target meanwhile. Read from INFO keyspace, which needs no SELECT.
/// </summary>
internal static class KeyLandingCheck
{
    /// <summary>Compares the target's keyspace now with <paramref name="before"/> and what <paramref name="restored"/> says was written.</summary>
    public static async Task RunAsync(TargetServer server, IReadOnlyDictionary<int, long> before, IReadOnlyDictionary<int, DatabaseTally> restored, CancellationToken cancellationToken)
    {
        var after = await server.KeysPerDatabaseNowAsync(cancellationToken);
        foreach (var db in after.Keys.Union(restored.Keys).Where(db => !before.ContainsKey(db)).Order())
        {
            var holds = after.GetValueOrDefault(db);
            var (most, least) = restored.TryGetValue(db, out var tally) ? (tally.Restored, tally.RestoredWithoutExpiry) : (0, 0);
            if (holds > most)
                throw Mismatch(server, db, holds, $"more than the {N(most)} restored into it");
            if (holds < least)
                throw Mismatch(server, db, holds, $"fewer than the {N(least)} restored into it without an expiry");
        }
    }

    private static LifeboatException Mismatch(TargetServer server, int db, long holds, string comparison) => new(
        $"database {N(db)} of {server.Target.Name} was empty before the restore and holds {N(holds)} keys after it, {comparison}",
        "keys went into another database than their own, or another client wrote into the target meanwhile: compare its INFO keyspace with the counts of the backup");

    private static string N(long value) => value.ToString(CultureInfo.InvariantCulture);
}
