using Lifeboat.IntegrationTests.Infrastructure;
using Lifeboat.Postgres;

namespace Lifeboat.IntegrationTests.Postgres;

/// <summary>The offset patch against archives of the installed pg_dump, streamed to a pipe and written to a file.</summary>
public sealed class CustomArchiveOffsetsPgDumpTests
{
    // Many rows (one chunk each with --compress=0), an empty table, a sequence, and large objects, one of
    // them spanning several chunks. The database is not written to between the two dumps.
    private const string Sql = """
        CREATE TABLE items (id int PRIMARY KEY, body text NOT NULL);
        INSERT INTO items SELECT g, repeat(md5(g::text), 3) FROM generate_series(1, 20000) g;
        CREATE TABLE wide (id int PRIMARY KEY, body text NOT NULL);
        INSERT INTO wide SELECT g, repeat(md5(g::text), 8000) FROM generate_series(1, 3) g;
        CREATE TABLE empty_table (id int);
        CREATE SEQUENCE counter START 41;
        SELECT nextval('counter');
        SELECT lo_from_bytea(0, decode(repeat(md5('a'), 5000), 'hex'));
        SELECT lo_from_bytea(0, '\x0102'::bytea);
        """;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task A_streamed_dump_patched_while_spooled_equals_the_file_pg_dump_writes_and_restores_in_parallel()
    {
        await using var database = await TestDatabase.CreateAsync("offsets", Sql);
        var directory = Directory.CreateTempSubdirectory("lifeboat-offsets-").FullName;
        try
        {
            var streamed = Path.Combine(directory, "streamed.dump");
            var written = Path.Combine(directory, "written.dump");

            var patched = await SpoolDumpAsync(database.Name, streamed);
            await PgCommand.RunAsync("pg_dump", PgCommand.Connection(database.Name, "--format=custom", "--compress=0", $"--file={written}"));

            Assert.True(patched);
            AssertEqualExceptCreationTime(await File.ReadAllBytesAsync(written, Ct), await File.ReadAllBytesAsync(streamed, Ct));
            var target = database.Companion("restored");
            await TestDatabase.AdminAsync($"CREATE DATABASE \"{target}\"");
            await PgCommand.RunAsync("pg_restore", PgCommand.Connection(target, "--jobs=2", "--no-owner", "--no-privileges", "--exit-on-error", streamed));
            Assert.Equal(await DatabaseFingerprint.TakeAsync(database.Name), await DatabaseFingerprint.TakeAsync(target));
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    [Fact]
    public async Task A_real_dump_cut_inside_its_data_is_spooled_unpatched_and_without_an_error()
    {
        await using var database = await TestDatabase.CreateAsync("offsetscut", Sql);
        var directory = Directory.CreateTempSubdirectory("lifeboat-offsets-").FullName;
        try
        {
            var whole = Path.Combine(directory, "whole.dump");
            await SpoolDumpAsync(database.Name, whole);
            var bytes = await File.ReadAllBytesAsync(whole, Ct);
            var cut = bytes[..(bytes.Length / 2)];
            var spool = Path.Combine(directory, "cut.dump");

            bool patched;
            await using (var file = new FileStream(spool, FileMode.CreateNew, FileAccess.Write))
            {
                var scanner = new CustomArchiveScanner();
                await new ScanningStream(file, scanner).WriteAsync(cut, Ct);
                await file.FlushAsync(Ct);
                patched = CustomArchiveOffsets.TryWrite(file.SafeFileHandle, scanner);
            }

            Assert.False(patched);
            Assert.Equal(cut, await File.ReadAllBytesAsync(spool, Ct));
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    // As the restore spools: pg_dump's stdout, a pipe, through the scanner into a file, then the patch.
    private static async Task<bool> SpoolDumpAsync(string database, string path)
    {
        using var process = PgCommand.Start("pg_dump", PgCommand.Connection(database, "--format=custom", "--compress=0"));
        await using var file = new FileStream(path, FileMode.CreateNew, FileAccess.Write);
        var scanner = new CustomArchiveScanner();
        await process.StandardOutput.BaseStream.CopyToAsync(new ScanningStream(file, scanner), Ct);
        await process.WaitForExitAsync(Ct);
        Assert.Equal(0, process.ExitCode);
        await file.FlushAsync(Ct);
        return CustomArchiveOffsets.TryWrite(file.SafeFileHandle, scanner);
    }

    // The header's seven creation-time integers follow magic, version, sizes, format and compression level.
    private static void AssertEqualExceptCreationTime(byte[] expected, byte[] actual)
    {
        Assert.Equal(expected.Length, actual.Length);
        var intSize = expected[8];
        var timeStart = 11 + 1 + intSize;
        var timeEnd = timeStart + (7 * (1 + intSize));
        Assert.Equal(expected[..timeStart], actual[..timeStart]);
        Assert.True(expected.AsSpan(timeEnd).SequenceEqual(actual.AsSpan(timeEnd)), "the archives differ after their headers' creation time");
    }
}
