using Lifeboat.IntegrationTests.Infrastructure;
using Lifeboat.Postgres;
using Npgsql;

namespace Lifeboat.IntegrationTests.Postgres;

/// <summary>The gate that keeps a parallel restore's COPY out of tables whose data has not arrived.</summary>
public sealed class TableDataGateTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static readonly ArchiveDataItem First = new(101, "TABLE DATA", "public", "first", true);
    private static readonly ArchiveDataItem Second = new(102, "TABLE DATA", "Odd Schema", "second \"one\"", true);

    [Fact]
    public async Task A_held_table_takes_no_rows_until_it_and_every_table_before_it_have_arrived_however_long_that_takes()
    {
        await using var database = await TestDatabase.CreateAsync("gate", """"
            CREATE TABLE public.first (id int);
            CREATE SCHEMA "Odd Schema";
            CREATE TABLE "Odd Schema"."second ""one""" (id int);
            """");
        // A production server may end sessions idle in a transaction; the gate's waits outlast that here.
        await database.ExecuteAsync($"ALTER DATABASE \"{database.Name}\" SET idle_in_transaction_session_timeout = '100ms'");
        var connection = new NpgsqlConnection(TestDatabase.ConnectionString(database.Name));
        await connection.OpenAsync(Ct);
        await using var gate = await TableDataGate.TryCloseAsync(connection, [First, Second], Ct);
        Assert.NotNull(gate);

        var loadingSecond = LoadAsync(database.Name, "\"Odd Schema\".\"second \"\"one\"\"\"");
        await Task.Delay(300, Ct);
        Assert.False(loadingSecond.IsCompleted, "COPY ran before the table's data arrived");

        // Arrivals are let through in archive order: the second table waits for the first.
        await gate.ArrivedAsync(Second, Ct);
        await Task.Delay(300, Ct);
        Assert.False(loadingSecond.IsCompleted, "the second table was let through before the first had arrived");

        await gate.ArrivedAsync(First, Ct);
        Assert.Equal(3UL, await loadingSecond.WaitAsync(TimeSpan.FromSeconds(30), Ct));
        Assert.Equal(3UL, await LoadAsync(database.Name, "public.first").WaitAsync(TimeSpan.FromSeconds(30), Ct));
    }

    [Fact]
    public async Task A_gate_on_a_table_that_does_not_exist_is_not_closed_and_leaves_nothing_locked()
    {
        await using var database = await TestDatabase.CreateAsync("gatemissing", "CREATE TABLE public.first (id int);");
        var connection = new NpgsqlConnection(TestDatabase.ConnectionString(database.Name));
        await connection.OpenAsync(Ct);

        var gate = await TableDataGate.TryCloseAsync(connection, [First, Second], Ct);

        Assert.Null(gate);
        Assert.Equal(3UL, await LoadAsync(database.Name, "public.first").WaitAsync(TimeSpan.FromSeconds(30), Ct));
    }

    [Fact]
    public async Task A_gate_whose_session_was_ended_says_so_when_the_next_table_arrives()
    {
        await using var database = await TestDatabase.CreateAsync("gateended", "CREATE TABLE public.first (id int);");
        var connection = new NpgsqlConnection(TestDatabase.ConnectionString(database.Name));
        await connection.OpenAsync(Ct);
        await using var gate = await TableDataGate.TryCloseAsync(connection, [First], Ct);
        Assert.NotNull(gate);
        Assert.True(await gate.IsHeldAsync(Ct));

        await database.ExecuteAsync($"SELECT pg_terminate_backend({connection.ProcessID})");
        var error = await Assert.ThrowsAsync<LifeboatException>(() => gate.ArrivedAsync(First, Ct));

        Assert.StartsWith("the PostgreSQL session that held pg_restore back from each table until its data had arrived was ended", error.Message, StringComparison.Ordinal);
        Assert.EndsWith("the target database was left untouched", error.Message, StringComparison.Ordinal);
        Assert.False(await gate.IsHeldAsync(Ct));
    }

    // What a pg_restore worker does with a table's data.
    private static async Task<ulong> LoadAsync(string database, string table)
    {
        await using var connection = new NpgsqlConnection(TestDatabase.ConnectionString(database));
        await connection.OpenAsync(Ct);
        await using var writer = await connection.BeginBinaryImportAsync($"COPY {table} (id) FROM STDIN (FORMAT BINARY)", Ct);
        for (var i = 1; i <= 3; i++)
            await writer.WriteRowAsync(Ct, i);
        return await writer.CompleteAsync(Ct);
    }
}
