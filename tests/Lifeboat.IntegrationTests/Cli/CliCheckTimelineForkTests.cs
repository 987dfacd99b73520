using System.Text.Json;
using Lifeboat.IntegrationTests.Infrastructure;
using Lifeboat.Postgres;
using Lifeboat.Postgres.Wal;
using Lifeboat.Repository;

namespace Lifeboat.IntegrationTests.Cli;

/// <summary>
/// 'check --json', through the executable, carries the warning of two timelines that went on writing as the text output
/// and 'list' give it: on an archive laid out as a scratch copy restored with its archiving kept on leaves it.
/// </summary>
public sealed class CliCheckTimelineForkTests
{
    private static readonly DateTimeOffset Noon = new(2026, 12, 3, 12, 0, 0, TimeSpan.Zero);
    private const long SegmentSize = WalFileName.DefaultSegmentSize;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Check_json_carries_the_fork_as_a_warning_line_and_a_timeline_fork_object_and_still_exits_0()
    {
        await using var repo = await TestRepository.CreateLocalAsync();
        var config = repo.WriteConfig();
        await BaseBackupAsync(repo);
        await SegmentsAsync(repo, 1, 2, 4, storedAt: Noon.AddMinutes(3));
        // A scratch copy recovered into segment 4 and archived timeline 2 from 12:05; production went on with timeline 1.
        await WriteAsync(repo, WalArchiveLayout.FileKey("app", WalFileName.TryParse("00000002.history")!), "1\t0/4000100\tbefore 2026-12-03 12:03:30+00\n"u8.ToArray(), Noon.AddMinutes(5));
        await SegmentsAsync(repo, 2, 4, 5, storedAt: Noon.AddMinutes(6));
        await SegmentsAsync(repo, 1, 5, 7, storedAt: Noon.AddMinutes(8));

        var check = await Infrastructure.Cli.RunAsync("--config", config, "--json", "check");

        Assert.True(check.ExitCode == 0, check.Stderr + check.Stdout);
        using var json = JsonDocument.Parse(check.Stdout);
        var source = Assert.Single(json.RootElement.GetProperty("sources").EnumerateArray());
        Assert.Empty(source.GetProperty("problems").EnumerateArray());
        var warning = Assert.Single(source.GetProperty("warnings").EnumerateArray()).GetString();
        Assert.StartsWith("postgres/app WAL: two timelines went on writing: timeline 1 (which timeline 2 left at 0/4000100) archived 3 segment(s) after timeline 2 began, up to 000000010000000000000007", warning, StringComparison.Ordinal);
        Assert.EndsWith(". hint: if timeline 1 is the one that matters, recover along it with --target-timeline 1", warning, StringComparison.Ordinal);
        var fork = source.GetProperty("timelineFork");
        Assert.Equal(
            (2u, 1u, "0/4000100", 3, "000000010000000000000007"),
            (fork.GetProperty("followed").GetUInt32(), fork.GetProperty("other").GetUInt32(), fork.GetProperty("leftAt").GetString(), fork.GetProperty("segmentsSince").GetInt32(), fork.GetProperty("archivedUntil").GetString()));
    }

    [Fact]
    public async Task Check_json_of_an_archive_on_one_timeline_has_no_warnings_and_no_timeline_fork()
    {
        await using var repo = await TestRepository.CreateLocalAsync();
        var config = repo.WriteConfig();
        await BaseBackupAsync(repo);
        await SegmentsAsync(repo, 1, 2, 4, storedAt: Noon.AddMinutes(3));

        var check = await Infrastructure.Cli.RunAsync("--config", config, "--json", "check");

        Assert.True(check.ExitCode == 0, check.Stderr + check.Stdout);
        using var json = JsonDocument.Parse(check.Stdout);
        var source = Assert.Single(json.RootElement.GetProperty("sources").EnumerateArray());
        Assert.Empty(source.GetProperty("warnings").EnumerateArray());
        Assert.False(source.TryGetProperty("timelineFork", out _));
    }

    /// <summary>A base backup of 'app' on timeline 1 in segment 2, finished a second after noon by the server's clock.</summary>
    private static async Task BaseBackupAsync(TestRepository repo)
    {
        var id = BackupId.New(Noon).Value;
        var name = WalFileName.OfNumber(1, 2, SegmentSize).Text;
        await repo.Repository.CommitManifestAsync(
            new BackupManifest
            {
                Id = id,
                Source = PostgresDumpBackup.SourceType,
                Name = "app",
                Kind = PostgresBaseBackup.Kind,
                StartedAt = Noon,
                FinishedAt = Noon.AddSeconds(2),
                Objects = [],
                Details = new BaseBackupInfo
                {
                    Label = "lifeboat " + id,
                    StartPosition = "0/2000028",
                    StopPosition = "0/2000100",
                    Timeline = 1,
                    FirstSegment = name,
                    LastSegment = name,
                    SystemId = "7715026332713570263",
                    ServerVersion = "15.10",
                    SegmentSize = SegmentSize,
                    Tablespaces = [new BaseBackupTablespaceInfo("base.tar", null, null, 0)],
                    StopClock = Noon.AddSeconds(1),
                    StopSnapshot = new BaseBackupSnapshot(800, 800, []),
                }.ToDetails(),
            },
            Ct);
    }

    /// <summary>Segments <paramref name="from"/> to <paramref name="to"/> of a timeline, each with a record of one commit, stored at <paramref name="storedAt"/>.</summary>
    private static async Task SegmentsAsync(TestRepository repo, uint timeline, ulong from, ulong to, DateTimeOffset storedAt)
    {
        for (var number = from; number <= to; number++)
        {
            var name = WalFileName.OfNumber(timeline, number, SegmentSize);
            await WriteAsync(repo, WalArchiveLayout.FileKey("app", name), [], storedAt);
            var commit = new WalCommit(storedAt, 800, name.StartPosition(SegmentSize) + 0x100);
            var record = new WalSegmentRecord { Sha256 = "", SizeBytes = 0, ArchivedAt = storedAt, Commits = 1, FirstCommit = commit, LastCommit = commit };
            await WriteAsync(repo, WalArchiveLayout.RecordKey("app", name), JsonSerializer.SerializeToUtf8Bytes(record, WalJson.Default.WalSegmentRecord), storedAt);
        }
    }

    // The listing dates a file by when it was stored, which is how a fork is told from WAL left behind before a branch began.
    private static async Task WriteAsync(TestRepository repo, string key, byte[] bytes, DateTimeOffset storedAt)
    {
        await using (var writer = await repo.Repository.CreateObjectAsync(key, "test", Ct))
        {
            await writer.Stream.WriteAsync(bytes, Ct);
            await writer.CompleteAsync(Ct);
        }

        File.SetLastWriteTimeUtc(Path.Combine(repo.RepositoryPath, key), storedAt.UtcDateTime);
    }
}
