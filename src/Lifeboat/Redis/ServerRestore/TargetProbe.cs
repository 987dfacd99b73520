using System.Globalization;
using StackExchange.Redis;

namespace Lifeboat.Redis.ServerRestore;

/// <summary>
/// A second, short-lived connection to the target for the verification pass, apart from the one the restore writes
/// through. StackExchange.Redis selects a command's database with a SELECT it sends fire-and-forget: were that SELECT
/// refused (a user without +select, a database past the server's <c>databases</c>), its error would be dropped and the
/// commands after it would run in the database selected before. So each database the restore will write is selected
/// here first, awaited; and the limits the restore must stay within are read here with CONFIG GET, which the writing
/// connection never sends.
/// </summary>
internal sealed class TargetProbe : IAsyncDisposable
{
    /// <summary>Redis's default proto-max-bulk-len, assumed when the user may not read the setting.</summary>
    public const long DefaultMaxBulkLength = 512L << 20;

    private readonly RestoreTarget _target;
    private readonly IConnectionMultiplexer _connection;

    // Every connection starts in database 0: it needs no SELECT, which a user may lack when it writes nowhere else.
    private readonly HashSet<int> _checked = [0];

    private TargetProbe(RestoreTarget target, IConnectionMultiplexer connection)
    {
        _target = target;
        _connection = connection;
    }

    public static async Task<TargetProbe> OpenAsync(RestoreTarget target, CancellationToken cancellationToken)
    {
        var connection = await Commands.RunAsync(target, () => target.ConnectAgain(cancellationToken), "a second connection (to check its databases)", cancellationToken);
        return new TargetProbe(target, connection);
    }

    /// <summary>
    /// Selects <paramref name="db"/>, once per database, and throws, before anything is written, when the target has no
    /// such database or the user may not select it.
    /// </summary>
    public async ValueTask CheckDatabaseAsync(int db, CancellationToken cancellationToken)
    {
        if (_checked.Contains(db))
            return;
        try
        {
            await _connection.GetDatabase().ExecuteAsync("SELECT", db).WaitAsync(cancellationToken);
        }
        catch (RedisServerException e) when (e.Message.Contains("out of range", StringComparison.Ordinal))
        {
            throw await NoSuchDatabaseAsync(db, e, cancellationToken);
        }
        catch (RedisServerException e) when (e.Message.StartsWith("NOPERM", StringComparison.Ordinal))
        {
            throw new LifeboatException(
                $"{_target.Name} refused SELECT {N(db)}: {e.Message.TrimEnd('.')}; the backup has keys in database {N(db)}",
                "nothing was written; give the restoring user +select",
                FailureKind.Usage,
                e)
            {
                Remedy = new(RemedyAction.LeaveOutDatabases),
            };
        }
        catch (Exception e) when (Commands.IsRedisFailure(e))
        {
            throw Commands.Failure(_target, $"SELECT {N(db)}", e);
        }

        _checked.Add(db);
    }

    /// <summary>The most bytes the target takes in one argument (proto-max-bulk-len); Redis's default when it may not be read.</summary>
    public async Task<long> MaxBulkLengthAsync(CancellationToken cancellationToken) =>
        await ConfigNumberAsync("proto-max-bulk-len", cancellationToken) ?? DefaultMaxBulkLength;

    public async ValueTask DisposeAsync() => await _connection.DisposeAsync();

    private async Task<LifeboatException> NoSuchDatabaseAsync(int db, RedisServerException e, CancellationToken cancellationToken)
    {
        var databases = await ConfigNumberAsync("databases", cancellationToken);
        var has = databases is { } count ? $"has {N(count)} databases (0 to {N(count - 1)})" : $"has no database {N(db)} ({e.Message})";
        return new LifeboatException(
            $"{_target.Name} {has}, and the backup has keys in database {N(db)}",
            "nothing was written; raise databases in the target's redis.conf",
            FailureKind.Usage,
            e)
        {
            Remedy = new(RemedyAction.LeaveOutDatabases),
        };
    }

    // CONFIG GET answers [name, value], or nothing for an unknown name; a user without +config is refused.
    private async Task<long?> ConfigNumberAsync(string name, CancellationToken cancellationToken)
    {
        try
        {
            var reply = (RedisResult[]?)await _connection.GetDatabase().ExecuteAsync("CONFIG", "GET", name).WaitAsync(cancellationToken);
            return reply is { Length: 2 } && long.TryParse((string?)reply[1], NumberStyles.None, CultureInfo.InvariantCulture, out var value) ? value : null;
        }
        catch (Exception e) when (Commands.IsRedisFailure(e))
        {
            return null;
        }
    }

    private static string N(long value) => value.ToString(CultureInfo.InvariantCulture);
}
