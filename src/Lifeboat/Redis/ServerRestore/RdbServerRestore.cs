using System.Globalization;
using Lifeboat.Redis.Rdb;

namespace Lifeboat.Redis.ServerRestore;

/// <summary>
/// Restores an RDB into a running Redis, as RedisShake replays one: a first pass reads the whole RDB (structure,
/// checksum, declared counts) and checks the target (empty, no colliding keys or libraries, has each database written
/// and lets the user select it, able to read every type) without writing; the target's keys and libraries are read
/// again right before a second pass (<see cref="RdbReplay"/>) sends pipelined RESTORE … ABSTTL for each chosen key and
/// FUNCTION RESTORE for each library, and a target that evicts keys must have room for them (<see cref="EvictionGuard"/>);
/// afterwards it must have evicted none, and the databases that were empty must hold what was restored into them.
/// </summary>
public static class RdbServerRestore
{
    /// <summary>
    /// Restores the RDB that <paramref name="openRdb"/> opens (it is called twice: once to verify, once to restore)
    /// into <paramref name="target"/>. <paramref name="rdbName"/> names the RDB in messages ("the RDB of backup X").
    /// Throws a <see cref="LifeboatException"/> before anything is written when the RDB is damaged or the target
    /// refuses, and one saying what the target had confirmed written when a write fails; the result says per database
    /// what was restored.
    /// </summary>
    public static async Task<ServerRestoreResult> RunAsync(
        Func<CancellationToken, Task<Stream>> openRdb,
        string rdbName,
        RestoreTarget target,
        ServerRestoreOptions options,
        IActivityReporter reporter,
        CancellationToken cancellationToken)
    {
        try
        {
            return await RunCheckedAsync(openRdb, rdbName, target, options, reporter, cancellationToken);
        }
        catch (Exception e) when (Commands.IsRedisFailure(e))
        {
            // A command the connection refused to send, or one that failed outside the pipeline's own checks.
            throw Commands.Failure(target, "a command of the restore", e);
        }
    }

    private static async Task<ServerRestoreResult> RunCheckedAsync(
        Func<CancellationToken, Task<Stream>> openRdb, string rdbName, RestoreTarget target, ServerRestoreOptions options, IActivityReporter reporter, CancellationToken cancellationToken)
    {
        var server = await TargetServer.InspectAsync(target, cancellationToken);
        var selection = new KeySelection(options);
        RdbSurvey survey;
        await using (var probe = await TargetProbe.OpenAsync(target, cancellationToken))
        {
            survey = await VerifyAsync(openRdb, rdbName, server, probe, selection, options, reporter, cancellationToken);
            await CheckLargestValueAsync(server, probe, survey, rdbName, cancellationToken);
        }

        var libraries = options.SkipFunctionLibraries ? [] : survey.Libraries;
        reporter.Event($"{rdbName} verified: RDB {N(survey.Version)}, {N(survey.Databases.Values.Sum(d => d.Keys))} keys in {N(survey.Databases.Count)} databases, "
            + (survey.Checksum is { } crc ? $"checksum {crc:x16}" : "written without a checksum")
            + (survey.Largest is { } largest ? $", largest value {N(largest.SerializedLength)} bytes" : ""));

        // The verification pass may have taken minutes: what the refusals rest on is read again right before the first write.
        var before = await server.KeysPerDatabaseNowAsync(cancellationToken);
        RefuseOccupied(server, survey, before, options);
        await CheckLibrariesAsync(server, libraries, options, cancellationToken);
        var memory = await TargetMemory.ReadAsync(server, cancellationToken);
        if (!options.IgnoreMemoryEstimate)
            EvictionGuard.RefuseWhenItWouldEvict(server, memory, EvictionGuard.Estimate(options.SourceUsedMemory, survey.SelectedBytes, survey.TotalBytes));

        var restored = await new RdbReplay(server, selection, restoreFunctions: libraries.Count > 0, options).RunAsync(openRdb, rdbName, reporter, cancellationToken);
        CheckSamePasses(rdbName, survey, restored);
        // Before the keys are counted: an eviction makes them fewer, and is the cause to name.
        await EvictionGuard.CheckNoneEvictedAsync(server, memory, cancellationToken);
        await KeyLandingCheck.RunAsync(server, before, restored, cancellationToken);
        return new ServerRestoreResult(
            [.. restored.Values.Select(t => t.ToCount())],
            [.. libraries.Select(l => l.Name ?? "")],
            Math.Min(survey.Version, server.RdbVersion),
            survey.Libraries.Count - libraries.Count);
    }

    private static async Task<RdbSurvey> VerifyAsync(
        Func<CancellationToken, Task<Stream>> openRdb, string rdbName, TargetServer server, TargetProbe probe, KeySelection selection, ServerRestoreOptions options,
        IActivityReporter reporter, CancellationToken cancellationToken)
    {
        // With no leave to overwrite, any key the target holds in a database written to is refused below anyway.
        var collisions = options.AllowNonEmptyTarget && !options.Replace ? new CollisionCheck(server.Target, server.KeysPerDatabase) : null;
        RdbSurvey survey;
        await using (var rdb = await openRdb(cancellationToken))
        {
            survey = await RdbSurvey.RunAsync(
                rdb, rdbName, server, probe, selection, collisions, options.RecordedKeyspace, reporter.StartTransfer($"verifying {rdbName}", options.RdbBytes), cancellationToken);
        }

        RefuseOccupied(server, survey, server.KeysPerDatabase, options);
        if (collisions is not null && await collisions.FinishAsync(cancellationToken) is { } first)
        {
            throw new LifeboatException(
                $"{server.Target.Name} already has {N(collisions.Collisions)} of the keys to restore, key {RdbKeyText.Quote(first.Key)} in database {N(first.Db)} the first",
                "nothing was written; delete those keys on the target, or restore fewer keys",
                FailureKind.Usage)
            {
                Remedy = new(RemedyAction.ReplaceExistingKeys),
            };
        }

        return survey;
    }

    // A RESTORE carries a value whole, in one argument, held in one array: one longer than that holds, or than the target
    // takes, would fail in the writing pass, after other keys were written.
    private static async Task CheckLargestValueAsync(TargetServer server, TargetProbe probe, RdbSurvey survey, string rdbName, CancellationToken cancellationToken)
    {
        if (survey.Largest is not { } largest)
            return;
        if (largest.SerializedLength > RdbDumpPayload.LargestValue)
        {
            throw new LifeboatException(
                $"key {RdbKeyText.Quote(largest.Key)} (database {N(largest.Db)}) of {rdbName} holds a value of {N(largest.SerializedLength)} bytes (serialized), "
                + $"more than the {N(RdbDumpPayload.LargestValue)} one RESTORE can carry",
                "nothing was written; restore the RDB as a file, for a server that loads it",
                FailureKind.Usage)
            {
                Remedy = new(RemedyAction.RestoreToFile),
            };
        }

        var payload = largest.SerializedLength + RdbDumpPayload.FooterBytes;
        var limit = await probe.MaxBulkLengthAsync(cancellationToken);
        if (payload <= limit)
            return;
        throw new LifeboatException(
            $"the RESTORE of key {RdbKeyText.Quote(largest.Key)} (database {N(largest.Db)}) of {rdbName} would carry {N(payload)} bytes, "
            + $"more than the {N(limit)} {server.Target.Name} takes in one argument (proto-max-bulk-len)",
            "nothing was written; raise proto-max-bulk-len on the target (CONFIG SET proto-max-bulk-len), or leave that key out of the restore",
            FailureKind.Usage);
    }

    /// <summary>Without leave to write beside them, keys the target holds in a database the restore writes into stop it.</summary>
    private static void RefuseOccupied(TargetServer server, RdbSurvey survey, IReadOnlyDictionary<int, long> keysPerDatabase, ServerRestoreOptions options)
    {
        if (options.AllowNonEmptyTarget)
            return;
        var occupied = survey.Databases.Values.Where(d => d.Selected > 0 && keysPerDatabase.ContainsKey(d.Db)).Select(d => d.Db).ToList();
        if (occupied.Count == 0)
            return;
        throw new LifeboatException(
            $"{server.Target.Name} is not empty: " + string.Join(", ", occupied.Select(db => $"database {N(db)} holds {N(keysPerDatabase[db])} keys")),
            "nothing was written",
            FailureKind.Usage)
        {
            Remedy = new(RemedyAction.WriteIntoNonEmptyServer),
        };
    }

    private static async Task CheckLibrariesAsync(TargetServer server, IReadOnlyList<RdbFunctionLibrary> libraries, ServerRestoreOptions options, CancellationToken cancellationToken)
    {
        if (libraries.Count == 0)
            return;
        if (server.RdbVersion < 10)
            throw new LifeboatException($"{server.Target.Name} (Redis {server.RedisVersion}) has no functions, and the RDB holds {N(libraries.Count)} function libraries", "restore into Redis 7.0 or newer, or restore only some keys", FailureKind.Usage);
        var existing = await server.FunctionLibrariesAsync(cancellationToken);
        if (existing.Count == 0)
            return;
        // Libraries are the server's, not a database's: a target holding only code is not empty either.
        if (!options.AllowNonEmptyTarget)
        {
            throw new LifeboatException(
                $"{server.Target.Name} is not empty: it has the function " + Libraries(existing.Order(StringComparer.Ordinal)),
                "nothing was written",
                FailureKind.Usage)
            {
                Remedy = new(RemedyAction.WriteBesideServerFunctions),
            };
        }

        if (options.Replace)
            return;
        var clashing = libraries.Select(l => l.Name).OfType<string>().Where(existing.Contains).ToList();
        if (clashing.Count > 0)
        {
            throw new LifeboatException(
                $"{server.Target.Name} already has the function " + Libraries(clashing),
                "nothing was written; delete them on the target, or restore keys without functions",
                FailureKind.Usage)
            {
                Remedy = new(RemedyAction.ReplaceExistingKeys),
            };
        }
    }

    private static string Libraries(IEnumerable<string> names)
    {
        var quoted = names.Select(n => $"'{n}'").ToList();
        return (quoted.Count == 1 ? "library " : "libraries ") + string.Join(", ", quoted);
    }

    /// <summary>Both passes read the same RDB; should it have changed in between, the restore says so rather than trust either.</summary>
    private static void CheckSamePasses(string rdbName, RdbSurvey survey, IReadOnlyDictionary<int, DatabaseTally> restored)
    {
        var first = survey.Databases.Values.Select(d => (d.Db, d.Keys, d.Selected));
        var second = restored.Values.Select(d => (d.Db, d.Keys, d.Selected));
        if (!first.SequenceEqual(second))
            throw new LifeboatException($"{rdbName} read differently the second time than when it was verified", "check the storage the backup is read from, and restore again");
    }

    private static string N(long value) => value.ToString(CultureInfo.InvariantCulture);
}
