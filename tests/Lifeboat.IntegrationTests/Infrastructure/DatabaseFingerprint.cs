using Npgsql;

namespace Lifeboat.IntegrationTests.Infrastructure;

/// <summary>
/// A content fingerprint of a whole database: per table an order-independent checksum of every row,
/// per sequence its position, per large object a checksum of its bytes. Two equal fingerprints mean equal data.
/// </summary>
public static class DatabaseFingerprint
{
    public static async Task<SortedDictionary<string, string>> TakeAsync(string database)
    {
        await using var connection = new NpgsqlConnection(TestDatabase.ConnectionString(database));
        await connection.OpenAsync();
        var result = new SortedDictionary<string, string>(StringComparer.Ordinal);
        foreach (var (schema, table) in await ListAsync(connection, "SELECT n.nspname, c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE c.relkind = 'r' AND n.nspname NOT IN ('pg_catalog','information_schema') AND n.nspname NOT LIKE 'pg_toast%'"))
        {
            var sql = $"SELECT count(*)::text || ':' || coalesce(md5(string_agg(md5(t::text), '' ORDER BY md5(t::text))), '') FROM ONLY {Quote(schema)}.{Quote(table)} t";
            result[$"table {schema}.{table}"] = await ScalarAsync(connection, sql);
        }

        foreach (var (schema, sequence) in await ListAsync(connection, "SELECT schemaname, sequencename FROM pg_sequences"))
            result[$"sequence {schema}.{sequence}"] = await ScalarAsync(connection, $"SELECT last_value::text || ':' || is_called::text FROM {Quote(schema)}.{Quote(sequence)}");

        result["large objects"] = await ScalarAsync(connection, "SELECT coalesce(string_agg(oid::text || '=' || md5(lo_get(oid)), ',' ORDER BY oid), '') FROM pg_largeobject_metadata");
        result["extensions"] = await ScalarAsync(connection, "SELECT string_agg(extname || ' ' || extversion, ',' ORDER BY extname) FROM pg_extension");
        return result;
    }

    private static string Quote(string identifier) => "\"" + identifier.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"";

    private static async Task<string> ScalarAsync(NpgsqlConnection connection, string sql)
    {
        await using var command = new NpgsqlCommand(sql, connection);
        return (string)(await command.ExecuteScalarAsync())!;
    }

    private static async Task<List<(string, string)>> ListAsync(NpgsqlConnection connection, string sql)
    {
        await using var command = new NpgsqlCommand(sql, connection);
        await using var reader = await command.ExecuteReaderAsync();
        var list = new List<(string, string)>();
        while (await reader.ReadAsync())
            list.Add((reader.GetString(0), reader.GetString(1)));
        return list;
    }
}
