using System.Text.Json;
using Lifeboat.Format;
using Lifeboat.Postgres;
using Lifeboat.Postgres.Wal;
using Lifeboat.Repository;
using Lifeboat.Storage;
using Lifeboat.Tests.Format;

namespace Lifeboat.Tests.Postgres;

/// <summary>
/// Whether recovery reaches a transaction or a position, checked from the records kept beside each segment: a
/// transaction must end (commit or abort) in the WAL archived after the backup became consistent, a position must be
/// followed by a record recovery can read whole; records written by an older Lifeboat fall back to what they tell.
/// </summary>
public sealed class PitrPlannerTargetReachTests : IAsyncLifetime
{
    private static readonly DateTimeOffset Noon = new(2026, 12, 3, 12, 0, 0, TimeSpan.Zero);
    private const long SegmentSize = WalFileName.DefaultSegmentSize;

    private readonly string _dir = Directory.CreateTempSubdirectory("lifeboat-reach-").FullName;
    private readonly List<string> _warnings = [];
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
    public async Task A_transaction_that_never_ended_in_the_archived_wal_is_refused_though_later_ones_committed()
    {
        var backup = await BaseBackupAsync(segment: 2, withSnapshot: true);
        await SegmentAsync(2, ended: [(800, 809), (811, 830)], lastCommitXid: 830);
        await SegmentAsync(3, ended: [(831, 840)], lastCommitXid: 840);

        var error = await Assert.ThrowsAsync<LifeboatException>(() => PlanAsync(new PitrTarget { TransactionId = 810 }));

        Assert.Equal(FailureKind.Usage, error.Kind);
        Assert.StartsWith($"transaction 810 has no commit or abort record in the WAL archived from base backup {backup} on (segments 000000010000000000000002 to 000000010000000000000003): it was still running where that WAL ends or when the server stopped, its id was never assigned, or it is a subtransaction that committed with its parent", error.Message, StringComparison.Ordinal);
        Assert.Contains("; the recoverable window on timeline 1 runs from 2026-12-03 12:00:01.000000 UTC to the last commit (2026-12-03 12:05:00.000000 UTC)", error.Message, StringComparison.Ordinal);
        Assert.Empty(_warnings);
    }

    [Fact]
    public async Task An_aborted_transaction_is_reached_for_recovery_stops_at_its_abort_though_it_follows_every_commit()
    {
        var backup = await BaseBackupAsync(segment: 2, withSnapshot: true);
        await SegmentAsync(2, ended: [(800, 830)], lastCommitXid: 829);
        await SegmentAsync(3, ended: [(831, 831)], lastCommitXid: null);

        var plan = await PlanAsync(new PitrTarget { TransactionId = 831, Inclusive = false });

        Assert.Equal((backup, "000000010000000000000003"), (plan.Backup.Id, plan.LastSegment.Text));
        Assert.Empty(_warnings);
    }

    [Fact]
    public async Task A_transaction_that_ended_before_the_named_backup_became_consistent_is_refused_naming_an_older_backup()
    {
        var older = await BaseBackupAsync(segment: 2, withSnapshot: false);
        var newer = await BaseBackupAsync(segment: 4, withSnapshot: false, startedAt: Noon.AddMinutes(4));
        await SegmentAsync(2, ended: [(800, 820)], lastCommitXid: 820);
        await SegmentAsync(3, ended: [(821, 840)], lastCommitXid: 840);
        await SegmentAsync(4, ended: [(841, 850)], lastCommitXid: 850);
        await SegmentAsync(5, ended: [(851, 860)], lastCommitXid: 860);

        var error = await Assert.ThrowsAsync<LifeboatException>(() => PlanAsync(new PitrTarget { TransactionId = 830 }, newer));
        var fromOlder = await PlanAsync(new PitrTarget { TransactionId = 830 }, older);

        Assert.Equal(FailureKind.Usage, error.Kind);
        Assert.Equal($"transaction 830 ended in segment 000000010000000000000003, before base backup {newer} became consistent at 0/4000100: recovery from it cannot stop at the transaction", error.Message);
        Assert.Equal($"choose an older base backup: {older} became consistent at 0/2000100, before the transaction ended", error.Hint);
        Assert.Equal(older, fromOlder.Backup.Id);
    }

    [Fact]
    public async Task A_transaction_that_ended_in_the_segment_a_backup_without_snapshot_stopped_in_is_accepted_with_a_warning()
    {
        var backup = await BaseBackupAsync(segment: 2, withSnapshot: false);
        await SegmentAsync(2, ended: [(800, 820)], lastCommitXid: 820);
        await SegmentAsync(3, ended: [(821, 840)], lastCommitXid: 840);

        await PlanAsync(new PitrTarget { TransactionId = 810 }, backup);

        Assert.Contains($"transaction 810 ended in segment 000000010000000000000002, the one base backup {backup} became consistent in (at 0/2000100): whether it ended after that could not be checked; recovery fails if it ended before", _warnings);
    }

    [Fact]
    public async Task A_transaction_end_running_on_into_a_segment_not_archived_is_not_reached_and_is_once_it_is()
    {
        await BaseBackupAsync(segment: 2, withSnapshot: true);
        await SegmentAsync(2, ended: [(800, 820)], lastCommitXid: 820);
        await SegmentAsync(3, ended: [(821, 840)], lastCommitXid: 840, endRunningOn: 841);

        var before = await Assert.ThrowsAsync<LifeboatException>(() => PlanAsync(new PitrTarget { TransactionId = 841 }));
        await SegmentAsync(4, ended: [(842, 850)], lastCommitXid: 850);
        var after = await PlanAsync(new PitrTarget { TransactionId = 841 });

        Assert.StartsWith("transaction 841 has no commit or abort record in the WAL archived", before.Message, StringComparison.Ordinal);
        Assert.Equal("000000010000000000000004", after.LastSegment.Text);
    }

    [Fact]
    public async Task Segments_archived_by_an_older_lifeboat_fall_back_to_the_latest_commit_with_a_warning()
    {
        await BaseBackupAsync(segment: 2, withSnapshot: true);
        await SegmentAsync(2, ended: null, lastCommitXid: 820);
        await SegmentAsync(3, ended: [(821, 840)], lastCommitXid: 840);

        await PlanAsync(new PitrTarget { TransactionId = 810 });
        var afterEveryCommit = await Assert.ThrowsAsync<LifeboatException>(() => PlanAsync(new PitrTarget { TransactionId = 900 }));

        Assert.Equal(["whether transaction 810 ended in the archived WAL could not be verified: 1 of its 2 segments from 000000010000000000000002 to 000000010000000000000003 have no list of the transactions that ended in them (archived by an older Lifeboat, or too many to list); recovery fails if it did not end there"], _warnings);
        Assert.StartsWith("transaction 900 lies after every transaction that committed in the archived WAL (the latest 840, in WAL up to segment 000000010000000000000003)", afterEveryCommit.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_position_needs_a_whole_record_at_or_after_it_in_the_archived_wal()
    {
        await BaseBackupAsync(segment: 2, withSnapshot: true);
        await SegmentAsync(2, ended: [(800, 820)], lastCommitXid: 820, validBytes: SegmentSize);
        await SegmentAsync(3, ended: [(821, 840)], lastCommitXid: 840, validBytes: 0x5000);

        var inEarlierSegment = await PlanAsync(new PitrTarget { Position = new WalPosition(0x2FFFF00) });
        var beforeLastRecordEnds = await PlanAsync(new PitrTarget { Position = new WalPosition(0x3004FFF) });
        var inTheTail = await Assert.ThrowsAsync<LifeboatException>(() => PlanAsync(new PitrTarget { Position = new WalPosition(0x3005000) }));

        Assert.Equal("000000010000000000000003", inEarlierSegment.LastSegment.Text);
        Assert.Equal("000000010000000000000003", beforeLastRecordEnds.LastSegment.Text);
        Assert.Equal(FailureKind.Usage, inTheTail.Kind);
        Assert.Equal("the target position 0/3005000 lies at or after the end of the last complete record archived (0/3005000, in segment 000000010000000000000003): recovery stops only at a record that starts at or after it, and none is archived; the recoverable window on timeline 1 runs from 0/2000100 to 0/3005000", inTheTail.Message);
    }

    [Fact]
    public async Task A_position_inside_the_last_complete_record_is_refused_since_no_record_starts_at_or_after_it()
    {
        await BaseBackupAsync(segment: 2, withSnapshot: true);
        await SegmentAsync(2, ended: [(800, 820)], lastCommitXid: 820, validBytes: SegmentSize, lastRecordStart: SegmentSize - 0x40);
        await SegmentAsync(3, ended: [(821, 840)], lastCommitXid: 840, validBytes: 0x5000, lastRecordStart: 0x4F80);

        var atItsStart = await PlanAsync(new PitrTarget { Position = new WalPosition(0x3004F80) });
        var inside = await Assert.ThrowsAsync<LifeboatException>(() => PlanAsync(new PitrTarget { Position = new WalPosition(0x3004F81) }));

        Assert.Equal("000000010000000000000003", atItsStart.LastSegment.Text);
        Assert.Equal("the target position 0/3004F81 lies after the start of the last complete record archived (0/3004F80, in segment 000000010000000000000003): recovery stops only at a record that starts at or after it, and none is archived; the recoverable window on timeline 1 runs from 0/2000100 to 0/3004F80", inside.Message);
    }

    [Fact]
    public async Task A_position_in_the_last_segment_is_refused_when_its_record_does_not_say_where_its_readable_wal_ends()
    {
        await BaseBackupAsync(segment: 2, withSnapshot: true);
        await SegmentAsync(2, ended: null, lastCommitXid: 820, validBytes: 0);
        await SegmentAsync(3, ended: null, lastCommitXid: 840, validBytes: 0);

        var inEarlierSegment = await PlanAsync(new PitrTarget { Position = new WalPosition(0x2FFFF00) });
        var inLast = await Assert.ThrowsAsync<LifeboatException>(() => PlanAsync(new PitrTarget { Position = new WalPosition(0x3000100) }));

        Assert.Equal("000000010000000000000003", inEarlierSegment.LastSegment.Text);
        Assert.StartsWith("the target position 0/3000100 lies in segment 000000010000000000000003, the last archived, whose record does not say where its readable WAL ends (it was archived by an older Lifeboat): whether a whole record follows the target cannot be checked; the recoverable window on timeline 1 runs from 0/2000100 to 0/4000000", inLast.Message, StringComparison.Ordinal);
    }

    private Task<PitrPlan> PlanAsync(PitrTarget target, string? backupId = null) =>
        new PitrPlanner(_repository, "app", new WarningList(_warnings)).PlanAsync(target, backupId, Ct);

    /// <summary>A base backup on timeline 1 from 0/N000028 to 0/N000100 in segment N, its stop snapshot (if any) showing transactions from 800 on still to end.</summary>
    private async Task<string> BaseBackupAsync(int segment, bool withSnapshot, DateTimeOffset? startedAt = null)
    {
        var started = startedAt ?? Noon;
        var id = BackupId.New(started).Value;
        var name = WalFileName.OfNumber(1, (ulong)segment, SegmentSize).Text;
        await _repository.CommitManifestAsync(
            new BackupManifest
            {
                Id = id,
                Source = PostgresDumpBackup.SourceType,
                Name = "app",
                Kind = PostgresBaseBackup.Kind,
                StartedAt = started,
                FinishedAt = started.AddSeconds(2),
                Objects = [],
                Details = new BaseBackupInfo
                {
                    Label = "lifeboat " + id,
                    StartPosition = $"0/{segment:X}000028",
                    StopPosition = $"0/{segment:X}000100",
                    Timeline = 1,
                    FirstSegment = name,
                    LastSegment = name,
                    SystemId = "7715026332713570263",
                    ServerVersion = "15.10",
                    SegmentSize = SegmentSize,
                    Tablespaces = [new BaseBackupTablespaceInfo("base.tar", null, null, 0)],
                    StopClock = started.AddSeconds(1),
                    StopSnapshot = withSnapshot ? new BaseBackupSnapshot(800, 800, []) : null,
                }.ToDetails(),
            },
            Ct);
        return id;
    }

    /// <summary>Segment <paramref name="number"/> of timeline 1 with a record of the transactions it ended (null: an older record without them) and its last commit.</summary>
    private async Task SegmentAsync(ulong number, (uint First, uint Last)[]? ended, uint? lastCommitXid, long validBytes = SegmentSize, uint? endRunningOn = null, long lastRecordStart = 0)
    {
        var name = WalFileName.OfNumber(1, number, SegmentSize);
        await WriteAsync(WalArchiveLayout.FileKey("app", name), []);
        var commit = lastCommitXid is { } xid ? new WalCommit(Noon.AddMinutes(5), xid, name.StartPosition(SegmentSize) + 0x100) : null;
        var record = new WalSegmentRecord
        {
            Sha256 = "",
            SizeBytes = SegmentSize,
            ArchivedAt = Noon,
            Commits = commit is null ? 0 : 1,
            FirstCommit = commit,
            LastCommit = commit,
            ValidBytes = validBytes,
            TransactionsEnded = ended?.Select(r => new TransactionIdRange(r.First, r.Last)).ToArray(),
            TransactionEndRunningOn = endRunningOn,
            LastRecordStart = lastRecordStart,
        };
        await WriteAsync(WalArchiveLayout.RecordKey("app", name), JsonSerializer.SerializeToUtf8Bytes(record, WalJson.Default.WalSegmentRecord));
    }

    private async Task WriteAsync(string key, byte[] bytes)
    {
        await using var writer = await _repository.CreateObjectAsync(key, "test", Ct);
        await writer.Stream.WriteAsync(bytes, Ct);
        await writer.CompleteAsync(Ct);
    }

    private sealed class WarningList(List<string> warnings) : IActivityReporter
    {
        public void Event(string message) { }

        public void Warning(string message) => warnings.Add(message);

        public ITransferProgress StartTransfer(string description, long? totalBytes, bool estimated = false) => throw new InvalidOperationException("no transfer expected");

        public IProgress<ItemsDone> StartItems(string description, int totalItems) => throw new InvalidOperationException("no items expected");
    }
}
