using System.Globalization;
using Lifeboat.Redis.Rdb;
using StackExchange.Redis;

namespace Lifeboat.Redis.ServerRestore;

/// <summary>
/// The second pass of a restore into a running Redis, the one that writes: pipelined RESTORE … ABSTTL for each chosen
/// key and FUNCTION RESTORE for each library, values converted for an older target as they pass. A failure or an
/// interruption part way says what the target had confirmed written by then, since the target now holds part of the
/// backup; the commands still in flight are waited for and counted first, so none lands after it is said.
/// </summary>
internal sealed class RdbReplay
{
    private const long ProgressStep = 4 << 20;

    // A RESTORE whose absolute expiry has passed when the server runs it is answered OK and creates nothing. Keys that
    // expire this soon after they are sent (by our clock; the server's may be a little ahead) are asked about with an
    // EXISTS after their RESTORE, on the same connection, so those the server did not create count as expired.
    private static readonly TimeSpan ExpiryCheckMargin = TimeSpan.FromMinutes(10);

    private readonly TargetServer _server;
    private readonly KeySelection _selection;
    private readonly bool _restoreFunctions;
    private readonly ServerRestoreOptions _options;
    private readonly CommandWindow _window;
    private readonly SortedDictionary<int, DatabaseTally> _tallies = [];

    /// <summary>A replay into <paramref name="server"/> of the keys <paramref name="selection"/> chooses, and of the function libraries when <paramref name="restoreFunctions"/>.</summary>
    public RdbReplay(TargetServer server, KeySelection selection, bool restoreFunctions, ServerRestoreOptions options)
    {
        _server = server;
        _selection = selection;
        _restoreFunctions = restoreFunctions;
        _options = options;
        _window = new CommandWindow(server.Target, options.MaxCommandsInFlight, options.MaxBytesInFlight);
    }

    private RestoreTarget Target => _server.Target;

    /// <summary>Replays the RDB <paramref name="openRdb"/> opens into the target; returns each database's counts.</summary>
    public async Task<SortedDictionary<int, DatabaseTally>> RunAsync(
        Func<CancellationToken, Task<Stream>> openRdb, string rdbName, IActivityReporter reporter, CancellationToken cancellationToken)
    {
        try
        {
            await ReplayAsync(openRdb, rdbName, reporter, cancellationToken);
            await _window.DrainAsync(cancellationToken);
        }
        catch (Exception e) when (e is LifeboatException || Commands.IsRedisFailure(e))
        {
            // A failure outside the window (the RDB, a conversion) leaves commands in flight: they are counted, not left to land unseen.
            await _window.SettleAsync();
            throw PartlyWritten(e as LifeboatException ?? Commands.Failure(Target, "a command of the restore", e));
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            await _window.SettleAsync();
            if (_window.KeysWritten.Count == 0 && _window.LibrariesWritten == 0)
                throw;
            throw new InterruptedWithWorkLeftException(Interrupted(), cancellationToken);
        }

        return _tallies;
    }

    private async Task ReplayAsync(Func<CancellationToken, Task<Stream>> openRdb, string rdbName, IActivityReporter reporter, CancellationToken cancellationToken)
    {
        var progress = reporter.StartTransfer($"restoring into {Target.Name}", _options.RdbBytes);
        await using var rdb = await openRdb(cancellationToken);
        using var reader = await RdbReader.OpenAsync(rdb, rdbName, keepValues: true, cancellationToken);
        var payloadVersion = Math.Min(reader.Version, _server.RdbVersion);
        var reported = 0L;
        while (await reader.ReadAsync(cancellationToken) is { } entry)
        {
            // Entries come from buffers and answers are often in already: nothing below is sure to look at the token.
            cancellationToken.ThrowIfCancellationRequested();
            switch (entry)
            {
                case RdbDatabaseSize size:
                    Tally(size.Db);
                    break;
                case RdbFunctionLibrary library when _restoreFunctions:
                    await RestoreLibraryAsync(library, payloadVersion, cancellationToken);
                    break;
                case RdbKeyValue key:
                    await OfferKeyAsync(reader, key, payloadVersion, rdbName, cancellationToken);
                    break;
            }

            if (reader.Offset - reported >= ProgressStep)
                progress.Report(reported = reader.Offset);
        }

        progress.Report(reader.Offset);
    }

    private async Task RestoreLibraryAsync(RdbFunctionLibrary library, int payloadVersion, CancellationToken cancellationToken)
    {
        var payload = RdbDumpPayload.ForFunctionLibrary(library.Code, payloadVersion);
        object[] args = _options.Replace ? ["RESTORE", payload, "REPLACE"] : ["RESTORE", payload];
        await _window.AddLibraryAsync(Target.Connection.GetDatabase().ExecuteAsync("FUNCTION", args), payload.Length, $"FUNCTION RESTORE of library '{library.Name}'", cancellationToken);
    }

    private async Task OfferKeyAsync(RdbReader reader, RdbKeyValue key, int payloadVersion, string rdbName, CancellationToken cancellationToken)
    {
        var tally = Tally(key.Db);
        tally.Keys++;
        if (!_selection.Includes(key.Db, key.Key))
            return;
        tally.Selected++;
        var now = _options.Clock.GetUtcNow().ToUnixTimeMilliseconds();
        if (key.ExpireAtMs is { } expireAt && expireAt <= now)
        {
            tally.Expired++;
            return;
        }

        // The payload goes to the client as it is, not copied: it is the command's alone from here.
        var payload = await PayloadAsync(reader, key, payloadVersion, rdbName, cancellationToken);
        var database = Target.Connection.GetDatabase(key.Db);
        await _window.AddAsync(database.ExecuteAsync("RESTORE", RestoreArguments(key, payload)), payload.Length, key.Db, key.Key, cancellationToken);
        tally.Restored++;
        if (key.ExpireAtMs is not { } expiry)
        {
            // A hash whose fields have expiry times goes when its last field does: like a key with an expiry, it may be
            // gone by the count at the end (the server keeps fields already expired and removes them a moment later).
            if (!RdbType.IsHashWithFieldExpiry(key.Type))
                tally.RestoredWithoutExpiry++;
            return;
        }

        if (expiry > now + (long)ExpiryCheckMargin.TotalMilliseconds)
            return;
        await _window.AddExpiryCheckAsync(database.KeyExistsAsync(key.Key), tally, $"EXISTS of key {RdbKeyText.Quote(key.Key)} (database {N(key.Db)})", cancellationToken);
    }

    // The eviction state the RDB kept goes along, so a cache restored evicts as it did; RESTORE takes one of the two,
    // as a server saves one of them (an LFU policy saves the counter, an LRU policy the idle time).
    private object[] RestoreArguments(RdbKeyValue key, ReadOnlyMemory<byte> payload)
    {
        var args = new List<object>(8) { (RedisKey)key.Key, key.ExpireAtMs ?? 0, (RedisValue)payload, "ABSTTL" };
        if (_options.Replace)
            args.Add("REPLACE");
        if (key.Frequency is { } frequency)
            args.AddRange(["FREQ", (int)frequency]);
        else if (key.IdleSeconds is { } idle)
            args.AddRange(["IDLETIME", (long)Math.Min(idle, long.MaxValue)]);
        return [.. args];
    }

    private static async ValueTask<ReadOnlyMemory<byte>> PayloadAsync(RdbReader reader, RdbKeyValue key, int payloadVersion, string rdbName, CancellationToken cancellationToken)
    {
        if (reader.Version <= payloadVersion || RdbType.IntroducedIn(key.Type) <= payloadVersion)
            return reader.TakeDumpPayload(payloadVersion);
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

    /// <summary>The failure, and what the target had confirmed written before it: it holds that part of the backup now.</summary>
    private LifeboatException PartlyWritten(LifeboatException failure)
    {
        var keys = _window.KeysWritten.Values.Sum();
        if (keys == 0 && _window.LibrariesWritten == 0)
        {
            return new LifeboatException(failure.Message, Join(failure.Hint, "the target confirmed no write before it"), failure.Kind, failure)
            {
                Remedy = failure.Remedy,
            };
        }

        return new LifeboatException(
            $"{failure.Message.TrimEnd('.')}; the restore stopped there, after {Target.Name} had confirmed {Written()}",
            Join(failure.Hint, "the target holds part of the backup now: empty it (or the databases written) and restore again"),
            failure.Kind,
            failure)
        {
            Remedy = new(RemedyAction.RestoreAgainOverPartialRestore),
        };
    }

    /// <summary>What an interrupted restore left in the target: the keys and libraries it had confirmed written.</summary>
    private LifeboatException Interrupted() => new(
        $"the restore into {Target.Name} stopped after it had confirmed {Written()}",
        "the target holds part of the backup now: empty it (or the databases written) and restore again")
    {
        Remedy = new(RemedyAction.RestoreAgainOverPartialRestore),
    };

    private string Written()
    {
        var keys = _window.KeysWritten.Values.Sum();
        var databases = string.Join(", ", _window.KeysWritten.Select(d => $"{N(d.Value)} in database {N(d.Key)}"));
        var libraries = _window.LibrariesWritten == 0 ? "" : $" and {N(_window.LibrariesWritten)} function {(_window.LibrariesWritten == 1 ? "library" : "libraries")}";
        return $"{N(keys)} keys written ({databases}){libraries}";
    }

    private static string Join(string? first, string second) => first is null ? second : $"{first}; {second}";

    private DatabaseTally Tally(int db)
    {
        if (!_tallies.TryGetValue(db, out var tally))
            _tallies[db] = tally = new DatabaseTally(db);
        return tally;
    }

    private static string N(long value) => value.ToString(CultureInfo.InvariantCulture);
}
