using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;
using Lifeboat.Postgres.Wal;
using Lifeboat.TestKit.Servers;

namespace Lifeboat.IntegrationTests.Postgres;

/// <summary>
/// The archive's reading of commits, restore points and where the last complete record starts, checked against
/// pg_waldump on segments a real server wrote under a varied load: records across pages and segments, large commit
/// records, prepared transactions, full-page images.
/// </summary>
public sealed partial class WalSegmentScannerAgainstWaldumpTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Every_archived_segment_gives_the_commits_transaction_ends_restore_points_and_last_record_start_pg_waldump_finds_in_it()
    {
        await using var cluster = await PrivatePostgres.CreateAsync(Ct);
        var archive = await cluster.CreateServerDirectoryAsync("archive", Ct);
        await cluster.Set("archive_mode", "on").Set("archive_command", $"cp %p {archive}/%f").Set("max_prepared_transactions", "4").StartAsync(Ct);
        await WriteVariedWalAsync(cluster);
        var last = await cluster.QueryValueAsync("SELECT pg_walfile_name(pg_switch_wal())", Ct);
        await WaitUntilAsync(() => File.Exists(Path.Combine(archive, last!)));

        var segments = Directory.GetFiles(archive).Where(f => WalFileName.TryParse(Path.GetFileName(f))?.Kind == WalFileKind.Segment).Order().ToList();
        Assert.True(segments.Count >= 3, $"the load should fill several segments, archived: {segments.Count}");
        var (commits, restorePoints, lastRecordStarts) = (0L, 0, 0);
        var ends = await TransactionEndsAsync(segments[0], segments[^1]);
        foreach (var segment in segments)
        {
            var expected = await WaldumpAsync(segment);
            commits += expected.Commits.Count;
            restorePoints += expected.RestorePoints.Count;
            var scanner = new WalSegmentScanner(Path.GetFileName(segment));
            await using (var file = File.OpenRead(segment))
            {
                var buffer = new byte[100_000]; // not a multiple of the page size
                int read;
                while ((read = await file.ReadAsync(buffer, Ct)) > 0)
                    scanner.Append(buffer.AsSpan(0, read));
            }

            var summary = scanner.Complete();
            var name = Path.GetFileName(segment);
            Assert.Equal((name, expected.Commits.Count), (name, (int)summary.Commits));
            Assert.Equal((name, expected.Commits.FirstOrDefault()), (name, summary.FirstCommit is { } first ? (first.Position, first.TransactionId, first.Time) : default));
            Assert.Equal((name, expected.Commits.LastOrDefault()), (name, summary.LastCommit is { } lastCommit ? (lastCommit.Position, lastCommit.TransactionId, lastCommit.Time) : default));
            Assert.Equal(expected.RestorePoints, summary.RestorePoints.Select(p => (p.Position, p.Name)));
            var (start, end) = (summary.Header.PageAddress, summary.Header.PageAddress + summary.Header.SegmentSize);
            var endsHere = ends.Where(e => e.Position >= start && e.Position < end).ToList();
            Assert.Equal((name, Ranges(endsHere.Where(e => e.Position + e.Length <= end).Select(e => e.TransactionId))), (name, string.Join(' ', summary.TransactionsEnded ?? [])));
            // One running on into the next segment is known when its header's kind is in this one (18 bytes; records start 8-aligned).
            var runningOn = endsHere.Where(e => e.Position + e.Length > end && end - e.Position >= 18).Select(e => (uint?)e.TransactionId).SingleOrDefault();
            Assert.Equal((name, runningOn), (name, summary.TransactionEndRunningOn));
            // wal-push records where the last record wholly inside the segment starts: the latest LSN target it can reach.
            var lastWhole = expected.Records.LastOrDefault(r => r.Position >= start && r.Position + r.Length <= end);
            Assert.Equal((name, lastWhole.Position == 0 ? 0 : (long)(lastWhole.Position - start)), (name, summary.LastRecordStart));
            lastRecordStarts += summary.LastRecordStart > 0 ? 1 : 0;
        }

        // The load's aborts: a rolled back transaction, a subtransaction rolled back to its savepoint (by the
        // subtransaction's own id), a prepared one (by the id that prepared it).
        Assert.True(ends.Count(e => e.IsAbort) >= 3, $"{ends.Count(e => e.IsAbort)} aborts seen");

        // At least the load's 3,500 commits (less at most one per segment boundary) and its two restore points were seen.
        Assert.True(commits >= 3500 - segments.Count, $"{commits} commits seen");
        Assert.Equal(2, restorePoints);
        Assert.Equal(segments.Count, lastRecordStarts);
    }

    private static async Task WriteVariedWalAsync(PrivatePostgres cluster)
    {
        await cluster.ExecuteAsync("CREATE TABLE t (id int PRIMARY KEY, v text); ALTER TABLE t ALTER v SET STORAGE EXTERNAL", Ct);
        // Many small commits, then rows bigger than a page (records across pages and segments).
        await cluster.ExecuteAsync("DO $$ BEGIN FOR i IN 1..3000 LOOP INSERT INTO t VALUES (i, repeat('s', 200)); COMMIT; END LOOP; END $$", Ct);
        await cluster.ExecuteAsync("INSERT INTO t SELECT 100000 + g, repeat(md5(g::text), 700) FROM generate_series(1, 1500) g", Ct);
        await cluster.ExecuteAsync("SELECT pg_create_restore_point('after-big-rows')", Ct);
        // A commit record far longer than a page: hundreds of relations and invalidations in one transaction.
        await cluster.ExecuteAsync("DO $$ BEGIN FOR i IN 1..300 LOOP EXECUTE format('CREATE TABLE many_%s (x int)', i); END LOOP; END $$", Ct);
        await cluster.ExecuteAsync("DO $$ BEGIN FOR i IN 1..300 LOOP EXECUTE format('DROP TABLE many_%s', i); END LOOP; END $$", Ct);
        // Full-page images after a checkpoint, subtransactions, a prepared transaction, another restore point.
        await cluster.ExecuteAsync("CHECKPOINT", Ct);
        await cluster.ExecuteAsync("UPDATE t SET v = 'u' WHERE id % 7 = 0", Ct);
        await cluster.ExecuteAsync("BEGIN; SAVEPOINT a; INSERT INTO t VALUES (-1, 'a'); SAVEPOINT b; INSERT INTO t VALUES (-2, 'b'); COMMIT", Ct);
        await cluster.ExecuteAsync("BEGIN; INSERT INTO t VALUES (-3, 'p'); PREPARE TRANSACTION 'p1'", Ct);
        await cluster.ExecuteAsync("COMMIT PREPARED 'p1'", Ct);
        // Aborts end transactions too (recovery stops at them): top-level, a subtransaction's own, a prepared one's.
        await cluster.ExecuteAsync("BEGIN; INSERT INTO t VALUES (-4, 'r'); ROLLBACK", Ct);
        await cluster.ExecuteAsync("BEGIN; INSERT INTO t VALUES (-5, 'k'); SAVEPOINT c; INSERT INTO t VALUES (-6, 'r'); ROLLBACK TO SAVEPOINT c; COMMIT", Ct);
        await cluster.ExecuteAsync("BEGIN; CREATE TABLE gone (x int); INSERT INTO t VALUES (-7, 'p'); PREPARE TRANSACTION 'p2'", Ct);
        await cluster.ExecuteAsync("ROLLBACK PREPARED 'p2'", Ct);
        await cluster.ExecuteAsync("SELECT pg_create_restore_point('the-end')", Ct);
        await cluster.ExecuteAsync("DO $$ BEGIN FOR i IN 1..500 LOOP UPDATE t SET v = repeat('w', 100) WHERE id = i; COMMIT; END LOOP; END $$", Ct);
    }

    private sealed record Dump(
        List<(ulong Position, uint TransactionId, DateTimeOffset Time)> Commits,
        List<(ulong Position, string Name)> RestorePoints,
        List<(ulong Position, ulong Length)> Records);

    /// <summary>A commit or abort record as pg_waldump shows it, by the id recovery matches a transaction target with.</summary>
    private sealed record TransactionEnd(ulong Position, ulong Length, uint TransactionId, bool IsAbort);

    /// <summary>pg_waldump's reading of the whole archive, which follows records from one segment into the next.</summary>
    private static async Task<List<TransactionEnd>> TransactionEndsAsync(string first, string last)
    {
        var ends = new List<TransactionEnd>();
        foreach (var line in (await RunWaldumpAsync(first, last)).Split('\n'))
        {
            if (EndLine().Match(line) is not { Success: true } end)
                continue;
            var xid = end.Groups["prepared"].Success ? end.Groups["prepared"].Value : end.Groups["xid"].Value;
            ends.Add(new TransactionEnd(
                Lsn(end.Groups["lsn"].Value),
                ulong.Parse(end.Groups["length"].Value, CultureInfo.InvariantCulture),
                uint.Parse(xid, CultureInfo.InvariantCulture),
                end.Groups["kind"].Value == "ABORT"));
        }

        return ends;
    }

    /// <summary>Transaction ids as sorted ranges of consecutive ids, written as the scanner's ranges write themselves ("3-9 12").</summary>
    private static string Ranges(IEnumerable<uint> ids)
    {
        var ranges = new List<TransactionIdRange>();
        foreach (var id in ids.Distinct().Order())
        {
            if (ranges.Count > 0 && ranges[^1].Last + 1 == id)
                ranges[^1] = ranges[^1] with { Last = id };
            else
                ranges.Add(new TransactionIdRange(id, id));
        }

        return string.Join(' ', ranges);
    }

    /// <summary>pg_waldump's reading of the one segment, alone in a directory so that it cannot follow a record into the next.</summary>
    private static async Task<Dump> WaldumpAsync(string segment)
    {
        var alone = Directory.CreateTempSubdirectory("lifeboat-waldump-").FullName;
        try
        {
            File.Copy(segment, Path.Combine(alone, Path.GetFileName(segment)));
            var output = await RunWaldumpAsync(Path.Combine(alone, Path.GetFileName(segment)));
            var dump = new Dump([], [], []);
            foreach (var line in output.Split('\n'))
            {
                if (RecordLine().Match(line) is { Success: true } record)
                    dump.Records.Add((Lsn(record.Groups["lsn"].Value), ulong.Parse(record.Groups["length"].Value, CultureInfo.InvariantCulture)));
                if (CommitLine().Match(line) is { Success: true } commit)
                {
                    var xid = commit.Groups["prepared"].Success ? commit.Groups["prepared"].Value : commit.Groups["xid"].Value;
                    var time = DateTimeOffset.ParseExact(commit.Groups["time"].Value, "yyyy-MM-dd HH:mm:ss.FFFFFF", CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal);
                    dump.Commits.Add((Lsn(commit.Groups["lsn"].Value), uint.Parse(xid, CultureInfo.InvariantCulture), time));
                }
                else if (RestorePointLine().Match(line) is { Success: true } point)
                {
                    dump.RestorePoints.Add((Lsn(point.Groups["lsn"].Value), point.Groups["name"].Value));
                }
            }

            return dump;
        }
        finally
        {
            Directory.Delete(alone, recursive: true);
        }
    }

    private static async Task<string> RunWaldumpAsync(params string[] files)
    {
        var start = new ProcessStartInfo(PostgresBinaries.Program("pg_waldump")) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var file in files)
            start.ArgumentList.Add(file);
        start.Environment["TZ"] = "UTC";
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync(Ct);
        var errors = process.StandardError.ReadToEndAsync(Ct);
        await process.WaitForExitAsync(Ct);
        // It exits non-zero at the end of valid WAL or at a record running into the next segment; what it printed stands.
        var text = await output;
        Assert.True(text.Length > 0, await errors);
        return text;
    }

    private static ulong Lsn(string text)
    {
        var parts = text.Split('/');
        return (ulong.Parse(parts[0], NumberStyles.HexNumber, CultureInfo.InvariantCulture) << 32) | ulong.Parse(parts[1], NumberStyles.HexNumber, CultureInfo.InvariantCulture);
    }

    private static async Task WaitUntilAsync(Func<bool> condition)
    {
        for (var i = 0; i < 600 && !condition(); i++)
            await Task.Delay(100, Ct);
        Assert.True(condition(), "timed out waiting for the archive");
    }

    [GeneratedRegex(@"rmgr: Transaction .*tx:\s+(?<xid>\d+), lsn: (?<lsn>[0-9A-F]+/[0-9A-F]+), .*desc: COMMIT(_PREPARED)? (?:(?<prepared>\d+): )?(?<time>\d{4}-\d\d-\d\d \d\d:\d\d:\d\d(\.\d+)?) UTC")]
    private static partial Regex CommitLine();

    [GeneratedRegex(@"rmgr: Transaction len \(rec/tot\):\s+\d+/\s*(?<length>\d+), tx:\s+(?<xid>\d+), lsn: (?<lsn>[0-9A-F]+/[0-9A-F]+), .*desc: (?<kind>COMMIT|ABORT)(_PREPARED)? (?:(?<prepared>\d+): )?\d{4}-")]
    private static partial Regex EndLine();

    [GeneratedRegex(@"rmgr: \S+\s+len \(rec/tot\):\s+\d+/\s*(?<length>\d+), tx:\s+\d+, lsn: (?<lsn>[0-9A-F]+/[0-9A-F]+),")]
    private static partial Regex RecordLine();

    [GeneratedRegex(@"rmgr: XLOG .*lsn: (?<lsn>[0-9A-F]+/[0-9A-F]+), .*desc: RESTORE_POINT (?<name>.*?)\s*$")]
    private static partial Regex RestorePointLine();
}
