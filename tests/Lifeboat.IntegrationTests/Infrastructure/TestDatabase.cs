using Lifeboat.Postgres;
using Lifeboat.TestKit.Configuration;
using Npgsql;

namespace Lifeboat.IntegrationTests.Infrastructure;

/// <summary>A uniquely named database on the devstack server, dropped when the test ends.</summary>
public sealed class TestDatabase : IAsyncDisposable
{
    private readonly List<string> _extraDatabases = [];

    private TestDatabase(string name) => Name = name;

    public string Name { get; }

    public static async Task<TestDatabase> CreateAsync(string stem, string? setupSql = null)
    {
        var database = new TestDatabase(TestEnvironment.UniqueName(stem));
        await AdminAsync($"CREATE DATABASE \"{database.Name}\"");
        if (setupSql is not null)
            await database.ExecuteAsync(setupSql);
        return database;
    }

    /// <summary>A source pointing at this database with the devstack credentials.</summary>
    public PostgresSource Source(string? name = null) => new()
    {
        Name = name ?? "db",
        Host = TestEnvironment.PgHost,
        Port = TestEnvironment.PgPort,
        Database = Name,
        User = TestEnvironment.PgUser,
        Password = TestEnvironment.PgPassword,
    };

    /// <summary>A config-file source named <paramref name="name"/> for this database on the devstack server.</summary>
    public PostgresSourceConfig SourceConfig(string name) => SourceConfig(name, Name);

    /// <summary>A config-file source for <paramref name="database"/> on the devstack server, its password read from the environment.</summary>
    public static PostgresSourceConfig SourceConfig(string name, string database) => new()
    {
        Name = name,
        Host = TestEnvironment.PgHost,
        Port = TestEnvironment.PgPort,
        Database = database,
        User = TestEnvironment.PgUser,
        PasswordEnv = TestEnvironment.PgPasswordVariable,
    };

    /// <summary>Registers another database (a restore target) to be dropped with this one.</summary>
    public string Companion(string suffix)
    {
        var name = $"{Name}_{suffix}";
        _extraDatabases.Add(name);
        return name;
    }

    public static string ConnectionString(string database) => new NpgsqlConnectionStringBuilder
    {
        Host = TestEnvironment.PgHost,
        Port = TestEnvironment.PgPort,
        Username = TestEnvironment.PgUser,
        Password = TestEnvironment.PgPassword,
        Database = database,
        Pooling = false,
        CommandTimeout = 300,
    }.ConnectionString;

    public Task ExecuteAsync(string sql) => ExecuteAsync(Name, sql);

    public static async Task ExecuteAsync(string database, string sql)
    {
        await using var connection = new NpgsqlConnection(ConnectionString(database));
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync();
    }

    public static Task AdminAsync(string sql) => ExecuteAsync("postgres", sql);

    public static async Task<bool> ExistsAsync(string database)
    {
        await using var connection = new NpgsqlConnection(ConnectionString("postgres"));
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand("SELECT 1 FROM pg_database WHERE datname = $1", connection);
        command.Parameters.Add(new NpgsqlParameter { Value = database });
        return await command.ExecuteScalarAsync() is not null;
    }

    /// <summary>Names of leftover staging databases of restores into <paramref name="target"/>.</summary>
    public static async Task<List<string>> StagingDatabasesAsync(string target)
    {
        await using var connection = new NpgsqlConnection(ConnectionString("postgres"));
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand("SELECT datname FROM pg_database WHERE datname LIKE $1", connection);
        command.Parameters.Add(new NpgsqlParameter { Value = target + "_lbrestore_%" });
        var names = new List<string>();
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
            names.Add(reader.GetString(0));
        return names;
    }

    /// <summary>Names of the databases <paramref name="role"/> owns.</summary>
    public static async Task<List<string>> DatabasesOwnedByAsync(string role)
    {
        await using var connection = new NpgsqlConnection(ConnectionString("postgres"));
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand("SELECT datname FROM pg_database WHERE pg_get_userbyid(datdba) = $1", connection);
        command.Parameters.Add(new NpgsqlParameter { Value = role });
        var names = new List<string>();
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
            names.Add(reader.GetString(0));
        return names;
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var name in _extraDatabases.Append(Name))
            await AdminAsync($"DROP DATABASE IF EXISTS \"{name.Replace("\"", "\"\"", StringComparison.Ordinal)}\" WITH (FORCE)");
    }
}
