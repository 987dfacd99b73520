using System.Threading.Channels;
using Lifeboat.Repository;
using Npgsql;

namespace Lifeboat.Postgres;

/// <summary>
/// Counts a table's rows as soon as a parallel pg_restore reports its data loaded ("finished item N
/// TABLE DATA tag" with --verbose), on a session of its own, while pg_restore goes on building indexes.
/// Nothing changes a table's rows after its data item, so the count is the verified one, and the index
/// builds then find the tuples' hint bits already set. Verification is then mostly done when pg_restore
/// ends. Best effort: a table not counted here (a name in two schemas, a failed session) is counted at
/// the end as before.
/// </summary>
internal sealed class EarlyRowCounts
{
    private readonly Dictionary<string, (string Schema, string Table)> byName;
    private readonly Channel<(string Schema, string Table)> loaded = Channel.CreateUnbounded<(string Schema, string Table)>(new UnboundedChannelOptions { SingleReader = true });
    private readonly Dictionary<(string Schema, string Table), long> counts = [];

    /// <summary>Prepares to count the <paramref name="tables"/> a backup's manifest lists.</summary>
    public EarlyRowCounts(IEnumerable<TableRowCount> tables)
    {
        // pg_restore names a data item by table name alone; a name found in two schemas is left to the end.
        byName = tables
            .GroupBy(t => t.Table, StringComparer.Ordinal)
            .Where(g => g.Count() == 1)
            .ToDictionary(g => g.Key, g => (g.Single().Schema, g.Single().Table), StringComparer.Ordinal);
    }

    /// <summary>Looks at one line of pg_restore's stderr; safe to call from the thread that reads it.</summary>
    public void Observe(string line)
    {
        if (PgRestoreFinishedItem.TryParse(line, out var item) && item.TableDataTag is { } tag && byName.TryGetValue(tag, out var table))
            loaded.Writer.TryWrite(table);
    }

    /// <summary>Counts tables as they are reported until <see cref="Complete"/>; returns what it counted.</summary>
    public async Task<IReadOnlyDictionary<(string Schema, string Table), long>> RunAsync(
        Func<CancellationToken, Task<NpgsqlConnection>> open, CancellationToken cancellationToken)
    {
        try
        {
            await using var connection = await open(cancellationToken);
            await SnapshotCatalog.DisableTimeoutsAsync(connection, cancellationToken);
            await foreach (var (schema, table) in loaded.Reader.ReadAllAsync(cancellationToken))
                counts[(schema, table)] = await SnapshotCatalog.CountAsync(connection, schema, table, cancellationToken);
        }
        catch (Exception e) when (e is NpgsqlException or LifeboatException or TimeoutException)
        {
            // Whatever was not counted here is counted after pg_restore.
        }

        return counts;
    }

    /// <summary>Says pg_restore has ended: the counting finishes the tables reported so far and returns.</summary>
    public void Complete() => loaded.Writer.TryComplete();
}
