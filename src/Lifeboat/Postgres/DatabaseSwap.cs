using Npgsql;

namespace Lifeboat.Postgres;

/// <summary>
/// Puts a verified staging database in the target's place. The old database is renamed aside first and
/// dropped only once the new one holds the name, so at no instant is the data in neither; if the swap
/// fails half-way, the old database gets its name back.
/// </summary>
internal sealed class DatabaseSwap(PostgresSource source, IActivityReporter reporter)
{
    private const int RenameAttempts = 5;

    /// <summary>Renames <paramref name="staging"/> to <paramref name="target"/>, replacing it when it exists.</summary>
    /// <remarks>Runs to the end regardless of cancellation: stopping between the steps is what would lose a name.</remarks>
    public async Task RunAsync(string staging, string target, bool targetExists)
    {
        await using var admin = await PostgresConnector.OpenAsync(source, DatabaseAdmin.MaintenanceDatabase, CancellationToken.None);
        // pg_restore committed asynchronously; this session's first commit flushes all of that WAL to disk,
        // so the restored data is durable before it takes the name, and before any old data is dropped.
        await DatabaseAdmin.ExecuteAsync(admin, "SET synchronous_commit = on", CancellationToken.None);
        if (!targetExists)
        {
            await RenameFreeingSessionsAsync(admin, staging, target);
            return;
        }

        var aside = DatabaseAdmin.DerivedName(target, "lbold");
        await DatabaseAdmin.AllowConnectionsAsync(admin, target, allow: false, CancellationToken.None);
        try
        {
            await RenameFreeingSessionsAsync(admin, target, aside);
        }
        catch
        {
            await DatabaseAdmin.AllowConnectionsAsync(admin, target, allow: true, CancellationToken.None);
            throw;
        }

        await PutStagingInPlaceAsync(admin, staging, target, aside);
        await DropOldAsync(admin, aside, target);
    }

    private async Task PutStagingInPlaceAsync(NpgsqlConnection admin, string staging, string target, string aside)
    {
        try
        {
            await RenameFreeingSessionsAsync(admin, staging, target);
        }
        catch (Exception e) when (e is NpgsqlException or LifeboatException)
        {
            await DatabaseAdmin.RenameAsync(admin, aside, target, CancellationToken.None);
            await DatabaseAdmin.AllowConnectionsAsync(admin, target, allow: true, CancellationToken.None);
            throw new LifeboatException(
                $"could not put the restored database '{staging}' in place of '{target}': {e.Message}; '{target}' was given back its old data",
                $"the verified restore is kept as '{staging}'; rename it by hand or run the restore again", inner: e);
        }
    }

    private async Task DropOldAsync(NpgsqlConnection admin, string aside, string target)
    {
        try
        {
            await DatabaseAdmin.DropAsync(admin, aside, CancellationToken.None);
        }
        catch (NpgsqlException e)
        {
            reporter.Warning($"'{target}' now holds the restored data, but its old data could not be dropped and is kept as '{aside}': {e.Message}; drop it by hand when you no longer need it");
        }
    }

    // A client may reconnect between terminating its session and the rename; a few tries settle that.
    private static async Task RenameFreeingSessionsAsync(NpgsqlConnection admin, string from, string to)
    {
        for (var attempt = 1; ; attempt++)
        {
            await DatabaseAdmin.TerminateSessionsAsync(admin, from, CancellationToken.None);
            try
            {
                await DatabaseAdmin.RenameAsync(admin, from, to, CancellationToken.None);
                return;
            }
            catch (PostgresException e) when (e.SqlState == PostgresErrorCodes.ObjectInUse && attempt < RenameAttempts)
            {
                await Task.Delay(TimeSpan.FromMilliseconds(200 * attempt));
            }
        }
    }
}
