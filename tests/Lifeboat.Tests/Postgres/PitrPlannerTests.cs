using System.Text;
using System.Text.Json;
using Lifeboat.Format;
using Lifeboat.Postgres;
using Lifeboat.Postgres.Wal;
using Lifeboat.Repository;
using Lifeboat.Storage;
using Lifeboat.Tests.Format;

namespace Lifeboat.Tests.Postgres;

/// <summary>
/// How restore pitr chooses its base backup and timeline, on a repository holding made-up manifests, records and
/// histories: the cases a real cluster makes slowly or not at all (older manifests, several timelines).
/// </summary>
public sealed class PitrPlannerTests : IAsyncLifetime
{
    private static readonly DateTimeOffset Noon = new(2026, 12, 3, 12, 0, 0, TimeSpan.Zero);

    private readonly string _dir = Directory.CreateTempSubdirectory("lifeboat-plan-").FullName;
    private readonly WarningRecorder _reporter = new();
    private BackupRepository _repository = null!;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync()
    {
        var keyFile = Path.Combine(_dir, "repo.key");
        KeyFile.Create(keyFile);
        _repository = await BackupRepository.InitAsync(new FileObjectStore(Path.Combine(_dir, "repo")), KeySecret.FromKeyFile(keyFile), EnvelopeTestKit.Small(compressed: true), Ct);
    }

    public async ValueTask DisposeAsync()
    {
        await _repository.DisposeAsync();
        Directory.Delete(_dir, recursive: true);
    }

    [Fact]
    public async Task For_a_time_a_backup_is_chosen_by_the_servers_clock_at_its_stop_when_it_recorded_one()
    {
        // Lifeboat finished 30 s after the server stopped the backup (the wait for the archive).
        var backup = await BaseBackupAsync(Noon, stopClock: Noon.AddSeconds(1), finishedAt: Noon.AddSeconds(30));
        await SegmentsAsync(1, 2, 3, commitAt: Noon.AddMinutes(5));

        var plan = await PlanAsync(new PitrTarget { Time = Noon.AddSeconds(10) });

        Assert.Equal((backup, 1u, "000000010000000000000003"), (plan.Backup.Id, plan.Timeline, plan.LastSegment.Text));
    }

    [Fact]
    public async Task A_backup_from_before_the_clock_was_recorded_is_chosen_by_lifeboats_own()
    {
        await BaseBackupAsync(Noon, stopClock: null, finishedAt: Noon.AddSeconds(30));
        await SegmentsAsync(1, 2, 3, commitAt: Noon.AddMinutes(5));

        var error = await Assert.ThrowsAsync<LifeboatException>(() => PlanAsync(new PitrTarget { Time = Noon.AddSeconds(10) }));

        Assert.StartsWith("the target time 2026-12-03 12:00:10.000000 UTC lies before the end of the oldest base backup in the history of timeline 1", error.Message, StringComparison.Ordinal);
        Assert.Contains("12:00:30.000000 UTC); the recoverable window starts there", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_backup_without_a_snapshot_is_chosen_for_a_transaction_only_when_named_and_then_with_a_warning()
    {
        var old = await BaseBackupAsync(Noon, stopClock: null, finishedAt: Noon.AddSeconds(30));
        await SegmentsAsync(1, 2, 3, commitAt: Noon.AddMinutes(5), xid: 900);

        var unnamed = await Assert.ThrowsAsync<LifeboatException>(() => PlanAsync(new PitrTarget { TransactionId = 850 }));
        var named = await PlanAsync(new PitrTarget { TransactionId = 850 }, old);

        Assert.Contains("stopped before transaction 850 finished: the snapshot each took when it stopped shows it finished (1 recorded no snapshot and cannot be chosen for a transaction)", unnamed.Message, StringComparison.Ordinal);
        Assert.Equal(old, named.Backup.Id);
        Assert.Equal($"base backup {old} recorded no snapshot at its stop: whether transaction 850 finished before it cannot be checked", _reporter.Warnings[0]);
    }

    [Fact]
    public async Task Latest_is_the_newest_timeline_whose_history_contains_a_backup_and_a_backup_on_a_branch_it_left_is_skipped_or_refused_when_named()
    {
        var early = await BaseBackupAsync(Noon, stopClock: Noon.AddSeconds(1), finishedAt: Noon.AddSeconds(2));
        // Timeline 2 left timeline 1 in segment 3; timeline 1 went on, and a backup was taken on it in segment 4.
        await HistoryAsync(2, "1\t0/3000158\tbefore 2026-12-03 12:03:00+00\n");
        var abandoned = await BaseBackupAsync(Noon.AddMinutes(4), stopClock: Noon.AddMinutes(4), finishedAt: Noon.AddMinutes(4), segment: 4);
        await SegmentsAsync(1, 2, 5, commitAt: Noon.AddMinutes(6));
        await SegmentsAsync(2, 3, 4, commitAt: Noon.AddMinutes(7));
        // Timeline 3 left timeline 2 past the WAL archived of it: still the newest, and its history contains the early backup.
        await HistoryAsync(3, "1\t0/3000158\tbefore 2026-12-03 12:03:00+00\n2\t0/9000000\tbefore 2026-12-03 12:09:00+00\n");

        var latest = await PlanAsync(new PitrTarget { Time = Noon.AddMinutes(6) });
        var onOne = await PlanAsync(new PitrTarget { Time = Noon.AddMinutes(5), Timeline = 1 });
        var notAChild = await Assert.ThrowsAsync<LifeboatException>(() => PlanAsync(new PitrTarget { Timeline = 2 }, abandoned));
        var noHistory = await Assert.ThrowsAsync<LifeboatException>(() => PlanAsync(new PitrTarget { Timeline = 4 }));

        Assert.Equal((early, 3u, "000000020000000000000004"), (latest.Backup.Id, latest.Timeline, latest.LastSegment.Text));
        Assert.Equal((abandoned, 1u, "000000010000000000000005"), (onOne.Backup.Id, onOne.Timeline, onOne.LastSegment.Text));
        Assert.Equal(FailureKind.Usage, notAChild.Kind);
        Assert.StartsWith($"base backup {abandoned} (timeline 1, 0/4000028 to 0/4000100) is not in the history of timeline 2, which left timeline 1 at 0/3000158: PostgreSQL would stop with 'requested timeline 2 is not a child of this server's history'", notAChild.Message, StringComparison.Ordinal);
        Assert.StartsWith("timeline 4 has no history file in the archive of 'app', so whether it leads from a base backup cannot be known (the archive holds the histories of timelines 1, 2, 3)", noHistory.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Latest_is_the_timeline_lists_window_follows_even_when_the_newest_backup_lies_on_another_branch()
    {
        // b1 on timeline 1; timeline 2 left it in segment 6 and b2 was taken there; timeline 3 left timeline 1 earlier, in segment 4.
        var b1 = await BaseBackupAsync(Noon, stopClock: Noon.AddSeconds(1), finishedAt: Noon.AddSeconds(2));
        await SegmentsAsync(1, 2, 6, commitAt: Noon.AddMinutes(3));
        await HistoryAsync(2, "1\t0/6000100\tno recovery target specified\n");
        await SegmentsAsync(2, 6, 9, commitAt: Noon.AddMinutes(9));
        await BaseBackupAsync(Noon.AddMinutes(8), stopClock: Noon.AddMinutes(8), finishedAt: Noon.AddMinutes(8), segment: 8, timeline: 2);
        await HistoryAsync(3, "1\t0/4000100\tbefore 2026-12-03 12:04:00+00\n");
        await SegmentsAsync(3, 4, 5, commitAt: Noon.AddMinutes(10));

        var plan = await PlanAsync(new PitrTarget { Time = Noon.AddMinutes(4) });
        var manifests = await _repository.ListBackupsAsync(PostgresDumpBackup.SourceType, "app", null, Ct);
        var window = (await (await WalArchiveOverview.LoadAsync(_repository, "app", manifests, Ct))!.WindowAsync(Ct))!;

        Assert.Equal((b1, 3u, "000000030000000000000005"), (plan.Backup.Id, plan.Timeline, plan.LastSegment.Text));
        Assert.Equal((b1, 3u, "000000030000000000000005"), (window.Earliest!.Id, window.Timeline, window.LastSegment));
        Assert.Empty(_reporter.Warnings); // timeline 1 and 2 archived nothing after timeline 3 began
    }

    [Fact]
    public async Task Latest_warns_naming_both_timelines_and_the_remedy_when_the_timeline_it_left_went_on_writing_after_it_began()
    {
        await BaseBackupAsync(Noon, stopClock: Noon.AddSeconds(1), finishedAt: Noon.AddSeconds(2));
        await SegmentsAsync(1, 2, 4, commitAt: Noon.AddMinutes(3), storedAt: Noon.AddMinutes(3));
        // A scratch copy recovered into segment 4 and archived timeline 2 at 12:05; production went on with timeline 1.
        await HistoryAsync(2, "1\t0/4000100\tbefore 2026-12-03 12:03:30+00\n", storedAt: Noon.AddMinutes(5));
        await SegmentsAsync(2, 4, 5, commitAt: Noon.AddMinutes(6), storedAt: Noon.AddMinutes(6));
        await SegmentsAsync(1, 5, 7, commitAt: Noon.AddMinutes(8), storedAt: Noon.AddMinutes(8));

        var latest = await PlanAsync(new PitrTarget { Time = Noon.AddMinutes(2) });
        var warnings = _reporter.Warnings.ToList();
        var named = await PlanAsync(new PitrTarget { Time = Noon.AddMinutes(7), Timeline = 1 });

        Assert.Equal((2u, 1u), (latest.Timeline, named.Timeline));
        var warning = Assert.Single(warnings);
        Assert.StartsWith("two timelines went on writing: timeline 1 (which timeline 2 left at 0/4000100) archived 3 segment(s) after timeline 2 began, up to 000000010000000000000007; recovery follows timeline 2, the latest", warning, StringComparison.Ordinal);
        Assert.Equal([new Remedy(RemedyAction.ChooseTargetTimeline, "1")], _reporter.Remedies);
        Assert.Single(_reporter.Warnings); // none when the timeline is named
    }

    [Fact]
    public async Task A_time_needs_a_commit_archived_after_it_and_at_it_when_exclusive()
    {
        await BaseBackupAsync(Noon, stopClock: Noon.AddSeconds(1), finishedAt: Noon.AddSeconds(2));
        await SegmentsAsync(1, 2, 3, commitAt: Noon.AddMinutes(5));

        var atLastCommit = await Assert.ThrowsAsync<LifeboatException>(() => PlanAsync(new PitrTarget { Time = Noon.AddMinutes(5) }));
        var exclusive = await PlanAsync(new PitrTarget { Time = Noon.AddMinutes(5), Inclusive = false });

        Assert.StartsWith("the target time 2026-12-03 12:05:00.000000 UTC lies after the last archived commit (2026-12-03 12:05:00.000000 UTC, in segment 000000010000000000000003; the next segment, 000000010000000000000004, is not archived); the recoverable window on timeline 1 runs from 2026-12-03 12:00:01.000000 UTC to the last commit", atLastCommit.Message, StringComparison.Ordinal);
        Assert.Equal(Noon.AddMinutes(5), exclusive.LastCommit);
    }

    private Task<PitrPlan> PlanAsync(PitrTarget target, string? backupId = null) =>
        new PitrPlanner(_repository, "app", _reporter).PlanAsync(target, backupId, Ct);

    /// <summary>A base backup on a timeline (1 unless given) from 0/N000028 to 0/N000100 in segment N, as an older or a current Lifeboat records it.</summary>
    private async Task<string> BaseBackupAsync(DateTimeOffset startedAt, DateTimeOffset? stopClock, DateTimeOffset finishedAt, int segment = 2, uint timeline = 1)
    {
        var id = BackupId.New(startedAt).Value;
        var name = WalFileName.OfNumber(timeline, (ulong)segment, WalFileName.DefaultSegmentSize).Text;
        await _repository.CommitManifestAsync(
            new BackupManifest
            {
                Id = id,
                Source = PostgresDumpBackup.SourceType,
                Name = "app",
                Kind = PostgresBaseBackup.Kind,
                StartedAt = startedAt,
                FinishedAt = finishedAt,
                Objects = [],
                Details = new BaseBackupInfo
                {
                    Label = "lifeboat " + id,
                    StartPosition = $"0/{segment:X}000028",
                    StopPosition = $"0/{segment:X}000100",
                    Timeline = timeline,
                    FirstSegment = name,
                    LastSegment = name,
                    SystemId = "7715026332713570263",
                    ServerVersion = "15.10",
                    SegmentSize = WalFileName.DefaultSegmentSize,
                    Tablespaces = [new BaseBackupTablespaceInfo("base.tar", null, null, 0)],
                    StopClock = stopClock,
                    StopSnapshot = stopClock is null ? null : new BaseBackupSnapshot(800, 800, []),
                }.ToDetails(),
            },
            Ct);
        return id;
    }

    /// <summary>Segments <paramref name="from"/> to <paramref name="to"/> of a timeline, each with a record of one commit, stored at <paramref name="storedAt"/> when given.</summary>
    private async Task SegmentsAsync(uint timeline, ulong from, ulong to, DateTimeOffset commitAt, uint xid = 800, DateTimeOffset? storedAt = null)
    {
        for (var number = from; number <= to; number++)
        {
            var name = WalFileName.OfNumber(timeline, number, WalFileName.DefaultSegmentSize);
            await WriteAsync(WalArchiveLayout.FileKey("app", name), [], storedAt);
            var commit = new WalCommit(commitAt, xid, name.StartPosition(WalFileName.DefaultSegmentSize) + 0x100);
            var record = new WalSegmentRecord { Sha256 = "", SizeBytes = 0, ArchivedAt = commitAt, Commits = 1, FirstCommit = commit, LastCommit = commit };
            await WriteAsync(WalArchiveLayout.RecordKey("app", name), JsonSerializer.SerializeToUtf8Bytes(record, WalJson.Default.WalSegmentRecord));
        }
    }

    private Task HistoryAsync(uint timeline, string text, DateTimeOffset? storedAt = null) =>
        WriteAsync(WalArchiveLayout.FileKey("app", WalFileName.TryParse($"{timeline:X8}.history")!), Encoding.ASCII.GetBytes(text), storedAt);

    // The listing dates a file by when it was stored: a test that orders archiving in time says when, to the minute.
    private async Task WriteAsync(string key, byte[] bytes, DateTimeOffset? storedAt = null)
    {
        await using (var writer = await _repository.CreateObjectAsync(key, "test", Ct))
        {
            await writer.Stream.WriteAsync(bytes, Ct);
            await writer.CompleteAsync(Ct);
        }

        if (storedAt is { } at)
            File.SetLastWriteTimeUtc(Path.Combine(_dir, "repo", key), at.UtcDateTime);
    }

    private sealed class WarningRecorder : IActivityReporter
    {
        public List<string> Warnings { get; } = [];

        public List<Remedy> Remedies { get; } = [];

        public void Event(string message) { }

        public void Warning(string message) => Warnings.Add(message);

        public void Warning(string message, Remedy remedy)
        {
            Warnings.Add(message);
            Remedies.Add(remedy);
        }

        public ITransferProgress StartTransfer(string description, long? totalBytes, bool estimated = false) => throw new InvalidOperationException("no transfer expected");

        public IProgress<ItemsDone> StartItems(string description, int totalItems) => throw new InvalidOperationException("no items expected");
    }
}
