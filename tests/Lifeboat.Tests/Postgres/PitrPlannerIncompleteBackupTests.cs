using System.Text.Json;
using Lifeboat.Format;
using Lifeboat.Postgres;
using Lifeboat.Postgres.Wal;
using Lifeboat.Repository;
using Lifeboat.Storage;
using Lifeboat.Tests.Format;

namespace Lifeboat.Tests.Postgres;

/// <summary>
/// restore pitr chooses among the base backups whose WAL from start to stop is archived, as the recoverable window
/// 'list' and 'check' show does: a newer backup missing a segment it needs to become consistent is passed over, and
/// with only such backups before the target the error names the first missing segment.
/// </summary>
public sealed class PitrPlannerIncompleteBackupTests : IAsyncLifetime
{
    private static readonly DateTimeOffset Noon = new(2026, 12, 3, 12, 0, 0, TimeSpan.Zero);
    private const long SegmentSize = WalFileName.DefaultSegmentSize;

    private readonly string _dir = Directory.CreateTempSubdirectory("lifeboat-incomplete-").FullName;
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
    public async Task Latest_recovers_from_the_newest_backup_whose_wal_is_complete_as_the_window_does_and_warns_of_the_newer_one_passed_over()
    {
        var complete = await BaseBackupAsync(first: 2, last: 2, minutes: 1);
        // The newer backup needs segments 5 and 6; 6 is not in the archive.
        var incomplete = await BaseBackupAsync(first: 5, last: 6, minutes: 6);
        await SegmentsAsync(2, 5);

        var plan = await PlanAsync(new PitrTarget());
        var window = await WindowAsync();

        Assert.Equal((complete, "000000010000000000000005"), (plan.Backup.Id, plan.LastSegment.Text));
        Assert.Equal((complete, "000000010000000000000005"), (window.Earliest!.Id, window.LastSegment));
        var warning = Assert.Single(_warnings);
        Assert.Equal($"base backup {incomplete} ends nearer the target, but WAL segment 000000010000000000000006 it needs to become consistent is missing from the archive: recovering from base backup {complete} instead", warning);
    }

    [Fact]
    public async Task With_only_an_incomplete_backup_before_the_target_the_error_says_so_and_names_its_first_missing_segment()
    {
        // The older backup needs segments 2 to 4, and 3 is lost; the newer one is complete but ends after the target.
        var incomplete = await BaseBackupAsync(first: 2, last: 4, minutes: 4);
        await BaseBackupAsync(first: 7, last: 7, minutes: 7);
        await SegmentsAsync(2, 2);
        await SegmentsAsync(4, 8);

        var error = await Assert.ThrowsAsync<LifeboatException>(() => PlanAsync(new PitrTarget { Time = Noon.AddMinutes(5) }));

        Assert.Equal(
            $"no base backup of 'app' that ends before the target time 2026-12-03 12:05:00.000000 UTC has the WAL it needs to become consistent: WAL segment 000000010000000000000003 is missing from the archive, and base backup {incomplete} needs it to become consistent at 0/4000100 (recovering along timeline 1)",
            error.Message);
        Assert.Equal("find the segment (the server's pg_wal, another copy of the archive), or choose a later target", error.Hint);
    }

    [Fact]
    public async Task With_no_complete_backup_at_all_the_error_names_the_segment_the_newest_lacks()
    {
        await BaseBackupAsync(first: 2, last: 3, minutes: 3);
        var newest = await BaseBackupAsync(first: 5, last: 6, minutes: 6);
        await SegmentsAsync(2, 2);
        await SegmentsAsync(5, 5);
        await SegmentsAsync(7, 8);

        var error = await Assert.ThrowsAsync<LifeboatException>(() => PlanAsync(new PitrTarget()));
        var window = await WindowAsync();

        Assert.Equal(
            $"no base backup of 'app' in the history of timeline 1 has the WAL it needs to become consistent: WAL segment 000000010000000000000006 is missing from the archive, and base backup {newest} (the newest of 2, none of which can be recovered) needs it to become consistent at 0/6000100 (recovering along timeline 1)",
            error.Message);
        Assert.Null(window.Earliest);
    }

    [Fact]
    public async Task A_named_backup_missing_wal_to_consistency_is_still_refused_naming_the_segment()
    {
        var incomplete = await BaseBackupAsync(first: 2, last: 3, minutes: 3);
        await BaseBackupAsync(first: 5, last: 5, minutes: 5);
        await SegmentsAsync(2, 2);
        await SegmentsAsync(4, 6);

        var error = await Assert.ThrowsAsync<LifeboatException>(() => PlanAsync(new PitrTarget(), incomplete));

        Assert.StartsWith($"WAL segment 000000010000000000000003 is missing from the archive, and base backup {incomplete} needs it to become consistent", error.Message, StringComparison.Ordinal);
    }

    private Task<PitrPlan> PlanAsync(PitrTarget target, string? backupId = null) =>
        new PitrPlanner(_repository, "app", new WarningList(_warnings)).PlanAsync(target, backupId, Ct);

    private async Task<RecoverableWindow> WindowAsync()
    {
        var manifests = await _repository.ListBackupsAsync(PostgresDumpBackup.SourceType, "app", null, Ct);
        return (await (await WalArchiveOverview.LoadAsync(_repository, "app", manifests, Ct))!.WindowAsync(Ct))!;
    }

    /// <summary>A base backup on timeline 1 from segment <paramref name="first"/> to <paramref name="last"/>, stopped by the server's clock <paramref name="minutes"/> after noon.</summary>
    private async Task<string> BaseBackupAsync(int first, int last, int minutes)
    {
        var stopped = Noon.AddMinutes(minutes);
        var id = BackupId.New(stopped.AddSeconds(-30)).Value;
        await _repository.CommitManifestAsync(
            new BackupManifest
            {
                Id = id,
                Source = PostgresDumpBackup.SourceType,
                Name = "app",
                Kind = PostgresBaseBackup.Kind,
                StartedAt = stopped.AddSeconds(-30),
                FinishedAt = stopped.AddSeconds(1),
                Objects = [],
                Details = new BaseBackupInfo
                {
                    Label = "lifeboat " + id,
                    StartPosition = $"0/{first:X}000028",
                    StopPosition = $"0/{last:X}000100",
                    Timeline = 1,
                    FirstSegment = Name((ulong)first),
                    LastSegment = Name((ulong)last),
                    SystemId = "7715026332713570263",
                    ServerVersion = "15.10",
                    SegmentSize = SegmentSize,
                    Tablespaces = [new BaseBackupTablespaceInfo("base.tar", null, null, 0)],
                    StopClock = stopped,
                    StopSnapshot = new BaseBackupSnapshot(800, 800, []),
                }.ToDetails(),
            },
            Ct);
        return id;
    }

    /// <summary>Segments <paramref name="from"/> to <paramref name="to"/> of timeline 1, each with a record of one commit <c>number</c> minutes after noon.</summary>
    private async Task SegmentsAsync(ulong from, ulong to)
    {
        for (var number = from; number <= to; number++)
        {
            var name = WalFileName.OfNumber(1, number, SegmentSize);
            await WriteAsync(WalArchiveLayout.FileKey("app", name), []);
            var commit = new WalCommit(Noon.AddMinutes(number), 800 + (uint)number, name.StartPosition(SegmentSize) + 0x100);
            var record = new WalSegmentRecord { Sha256 = "", SizeBytes = 0, ArchivedAt = commit.Time, Commits = 1, FirstCommit = commit, LastCommit = commit };
            await WriteAsync(WalArchiveLayout.RecordKey("app", name), JsonSerializer.SerializeToUtf8Bytes(record, WalJson.Default.WalSegmentRecord));
        }
    }

    private static string Name(ulong number) => WalFileName.OfNumber(1, number, SegmentSize).Text;

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

        public void Warning(string message, Remedy remedy) => warnings.Add(message);

        public ITransferProgress StartTransfer(string description, long? totalBytes, bool estimated = false) => throw new InvalidOperationException("no transfer expected");

        public IProgress<ItemsDone> StartItems(string description, int totalItems) => throw new InvalidOperationException("no items expected");
    }
}
