using System.Globalization;
using Lifeboat.Redis.Rdb;
using StackExchange.Redis;

namespace Lifeboat.Redis.ServerRestore;

/// <summary>
/// Restores an RDB into a running Redis, as RedisShake replays one: a first pass reads the whole RDB (structure,
/// checksum, declared counts) and checks the target (empty, no colliding keys or libraries, able to read every type)
/// without writing; a second pass sends pipelined RESTORE … ABSTTL for each chosen key and FUNCTION RESTORE for each
/// library, converting values the target's older RDB version cannot read as they are.
/// </summary>
public static class RdbServerRestore
{
    private const long ProgressStep = 4 << 20;

    /// <summary>
    /// Restores the RDB that <paramref name="openRdb"/> opens (it is called twice: once to verify, once to restore)
    /// into <paramref name="target"/>. <paramref name="rdbName"/> names the RDB in messages ("the RDB of backup X").
    /// Throws a <see cref="LifeboatException"/> before anything is written when the RDB is damaged or the target
    /// refuses; the result says per database what was restored.
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
        var survey = await VerifyAsync(openRdb, rdbName, server, selection, options, reporter, cancellationToken);
        var libraries = options.FiltersKeys ? [] : survey.Libraries;
        await CheckLibrariesAsync(server, libraries, options, cancellationToken);

        reporter.Event($"{rdbName} verified: RDB {N(survey.Version)}, {N(survey.Databases.Values.Sum(d => d.Keys))} keys in {N(survey.Databases.Count)} databases, "
            + (survey.Checksum is { } crc ? $"checksum {crc:x16}" : "written without a checksum"));
        var restored = await RestoreAsync(openRdb, rdbName, server, selection, restoreFunctions: libraries.Count > 0, options, reporter, cancellationToken);
        CheckSamePasses(rdbName, survey, restored);
        return new ServerRestoreResult(
            [.. restored.Values.Select(t => t.ToCount())],
            [.. libraries.Select(l => l.Name ?? "")],
            Math.Min(survey.Version, server.RdbVersion));
    }

    private static async Task<RdbSurvey> VerifyAsync(
        Func<CancellationToken, Task<Stream>> openRdb, string rdbName, TargetServer server, KeySelection selection, ServerRestoreOptions options,
        IActivityReporter reporter, CancellationToken cancellationToken)
    {
        // With no leave to overwrite, any key the target holds in a database written to is refused below anyway.
        var collisions = options.AllowNonEmptyTarget && !options.Replace ? new CollisionCheck(server.Target, server.KeysPerDatabase) : null;
        RdbSurvey survey;
        await using (var rdb = await openRdb(cancellationToken))
            survey = await RdbSurvey.RunAsync(rdb, rdbName, server, selection, collisions, options.RecordedKeyspace, reporter.StartTransfer($"verifying {rdbName}", options.RdbBytes), cancellationToken);

        var written = survey.Databases.Values.Where(d => d.Selected > 0).Select(d => d.Db).ToList();
        var occupied = written.Where(server.KeysPerDatabase.ContainsKey).ToList();
        if (occupied.Count > 0 && !options.AllowNonEmptyTarget)
        {
            throw new LifeboatException(
                $"{server.Target.Name} is not empty: " + string.Join(", ", occupied.Select(db => $"database {N(db)} holds {N(server.KeysPerDatabase[db])} keys")),
                "nothing was written",
                FailureKind.Usage)
            {
                Remedy = new(RemedyAction.WriteIntoNonEmptyServer),
            };
        }

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

    private static async Task CheckLibrariesAsync(TargetServer server, IReadOnlyList<RdbFunctionLibrary> libraries, ServerRestoreOptions options, CancellationToken cancellationToken)
    {
        if (libraries.Count == 0)
            return;
        if (server.RdbVersion < 10)
            throw new LifeboatException($"{server.Target.Name} (Redis {server.RedisVersion}) has no functions, and the RDB holds {N(libraries.Count)} function libraries", "restore into Redis 7.0 or newer, or restore only some keys", FailureKind.Usage);
        if (options.Replace)
            return;
        var existing = await server.FunctionLibrariesAsync(cancellationToken);
        var clashing = libraries.Select(l => l.Name).Where(n => n is not null && existing.Contains(n)).ToList();
        if (clashing.Count > 0)
        {
            throw new LifeboatException(
                $"{server.Target.Name} already has the function " + (clashing.Count == 1 ? "library " : "libraries ") + string.Join(", ", clashing.Select(n => $"'{n}'")),
                "nothing was written; delete them on the target, or restore keys without functions",
                FailureKind.Usage)
            {
                Remedy = new(RemedyAction.ReplaceExistingKeys),
            };
        }
    }

    private static async Task<SortedDictionary<int, DatabaseTally>> RestoreAsync(
        Func<CancellationToken, Task<Stream>> openRdb, string rdbName, TargetServer server, KeySelection selection, bool restoreFunctions,
        ServerRestoreOptions options, IActivityReporter reporter, CancellationToken cancellationToken)
    {
        var target = server.Target;
        var window = new CommandWindow(target, options.MaxCommandsInFlight, options.MaxBytesInFlight);
        var tallies = new SortedDictionary<int, DatabaseTally>();
        var progress = reporter.StartTransfer($"restoring into {target.Name}", options.RdbBytes);
        await using var rdb = await openRdb(cancellationToken);
        using var reader = await RdbReader.OpenAsync(rdb, rdbName, keepValues: true, cancellationToken);
        var payloadVersion = Math.Min(reader.Version, server.RdbVersion);
        var replace = options.Replace;
        var reported = 0L;
        while (await reader.ReadAsync(cancellationToken) is { } entry)
        {
            switch (entry)
            {
                case RdbDatabaseSize size:
                    Tally(tallies, size.Db);
                    break;
                case RdbFunctionLibrary library when restoreFunctions:
                    var functionPayload = RdbDumpPayload.ForFunctionLibrary(library.Code, payloadVersion);
                    object[] functionArgs = replace ? ["RESTORE", functionPayload, "REPLACE"] : ["RESTORE", functionPayload];
                    await window.AddAsync(target.Connection.GetDatabase().ExecuteAsync("FUNCTION", functionArgs), functionPayload.Length, $"FUNCTION RESTORE of library '{library.Name}'", cancellationToken);
                    break;
                case RdbKeyValue key:
                    var tally = Tally(tallies, key.Db);
                    tally.Keys++;
                    if (!selection.Includes(key.Db, key.Key))
                        break;
                    tally.Selected++;
                    if (key.ExpireAtMs is { } expireAt && expireAt <= options.Clock.GetUtcNow().ToUnixTimeMilliseconds())
                    {
                        tally.Expired++;
                        break;
                    }

                    var payload = await PayloadAsync(key, reader.Version, payloadVersion, rdbName, cancellationToken);
                    object[] args = replace
                        ? [(RedisKey)key.Key, key.ExpireAtMs ?? 0, payload, "ABSTTL", "REPLACE"]
                        : [(RedisKey)key.Key, key.ExpireAtMs ?? 0, payload, "ABSTTL"];
                    await window.AddAsync(target.Connection.GetDatabase(key.Db).ExecuteAsync("RESTORE", args), payload.Length, key.Db, key.Key, cancellationToken);
                    tally.Restored++;
                    break;
            }

            if (reader.Offset - reported >= ProgressStep)
                progress.Report(reported = reader.Offset);
        }

        await window.DrainAsync(cancellationToken);
        progress.Report(reader.Offset);
        return tallies;
    }

    private static async ValueTask<byte[]> PayloadAsync(RdbKeyValue key, int rdbVersion, int payloadVersion, string rdbName, CancellationToken cancellationToken)
    {
        if (rdbVersion <= payloadVersion)
            return RdbDumpPayload.Create(key.Value.Span, payloadVersion);
        try
        {
            // The verification pass made sure every chosen key's type converts.
            var converted = await RdbValueConversion.ForVersionAsync(key.Value, payloadVersion, cancellationToken);
            return RdbDumpPayload.Create(converted!.Value.Span, payloadVersion);
        }
        catch (RdbFormatException e)
        {
            throw new LifeboatException(
                $"key {RdbKeyText.Quote(key.Key)} (database {N(key.Db)}) of {rdbName} cannot be converted for RDB {N(payloadVersion)}: {e.Message}",
                "restore into a Redis as new as the one that wrote the RDB", inner: e);
        }
    }

    /// <summary>Both passes read the same RDB; should it have changed in between, the restore says so rather than trust either.</summary>
    private static void CheckSamePasses(string rdbName, RdbSurvey survey, SortedDictionary<int, DatabaseTally> restored)
    {
        var first = survey.Databases.Values.Select(d => (d.Db, d.Keys, d.Selected));
        var second = restored.Values.Select(d => (d.Db, d.Keys, d.Selected));
        if (!first.SequenceEqual(second))
            throw new LifeboatException($"{rdbName} read differently the second time than when it was verified", "check the storage the backup is read from, and restore again");
    }

    private static DatabaseTally Tally(SortedDictionary<int, DatabaseTally> tallies, int db)
    {
        if (!tallies.TryGetValue(db, out var tally))
            tallies[db] = tally = new DatabaseTally(db);
        return tally;
    }

    private static string N(long value) => value.ToString(CultureInfo.InvariantCulture);
}
