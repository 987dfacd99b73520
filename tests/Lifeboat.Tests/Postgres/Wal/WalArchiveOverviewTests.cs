using System.Buffers.Binary;
using Lifeboat.Format;
using Lifeboat.Postgres;
using Lifeboat.Postgres.Wal;
using Lifeboat.Repository;
using Lifeboat.Storage;
using Lifeboat.Tests.Format;

namespace Lifeboat.Tests.Postgres.Wal;

/// <summary>Gaps, the recoverable window and reading files back, on a real file repository holding real PostgreSQL 15 segments.</summary>
public sealed class WalArchiveOverviewTests : IAsyncLifetime
{
    private const long SegmentSize = 1 << 20; // the fixture's cluster was made with --wal-segsize=1
    private const int PageSize = 8192;
    private readonly string _dir = Directory.CreateTempSubdirectory("lifeboat-walview-").FullName;
    private BackupRepository _repository = null!;
    private WalArchive _archive = null!;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private string RepositoryPath => Path.Combine(_dir, "repo");

    public async ValueTask InitializeAsync()
    {
        var keyFile = Path.Combine(_dir, "repo.key");
        KeyFile.Create(keyFile);
        _repository = await BackupRepository.InitAsync(new FileObjectStore(RepositoryPath), KeySecret.FromKeyFile(keyFile), EnvelopeTestKit.Small(compressed: true, chunkSize: 1 << 16), Ct);
        _archive = new WalArchive(_repository, "app");
    }

    public async ValueTask DisposeAsync()
    {
        await _repository.DisposeAsync();
        Directory.Delete(_dir, recursive: true);
    }

    [Fact]
    public async Task The_window_ends_at_the_last_archived_commit_and_a_segment_deleted_in_the_middle_is_a_gap_that_cuts_it()
    {
        await PushAsync(7, 8, 9, 10);
        BackupManifest[] backups = [BaseBackup(7)];

        var whole = (await WalArchiveOverview.LoadAsync(_repository, "app", backups, Ct))!;
        var wholeWindow = (await whole.WindowAsync(Ct))!;
        File.Delete(StoredFile(Segment(9)));
        var cut = (await WalArchiveOverview.LoadAsync(_repository, "app", backups, Ct))!;
        var cutWindow = (await cut.WindowAsync(Ct))!;

        var lastCommit = (await _archive.RecordAsync(WalFileName.TryParse(Segment(10))!, Ct))!.LastCommit!;
        Assert.Equal(["timeline 1: 000000010000000000000007..00000001000000000000000A complete (4 segments)"], whole.Gaps().Select(f => f.Text));
        Assert.Equal((Segment(10), lastCommit.Time, 4), (wholeWindow.LastSegment, wholeWindow.LastCommit!.Time, whole.SegmentCount));
        Assert.Equal(["timeline 1: 000000010000000000000009 missing (1 segment)"], cut.Gaps().Select(f => f.Text));
        Assert.Equal(Segment(8), cutWindow.LastSegment);
        Assert.Equal((Segment(9), 1, Segment(10)), (Assert.Single(cutWindow.Cuts).Missing, cutWindow.Cuts[0].ArchivedAfter, cutWindow.Cuts[0].ArchivedUntil));
    }

    [Fact]
    public async Task A_segment_whose_record_was_lost_is_found_by_the_listing_alone()
    {
        await PushAsync(7, 8);
        File.Delete(StoredFile(Segment(8)) + ".record");

        var overview = (await WalArchiveOverview.LoadAsync(_repository, "app", [], Ct))!;

        var problem = Assert.Single(overview.Gaps());
        Assert.Equal(WalFindingKind.WithoutRecord, problem.Kind);
        Assert.StartsWith("timeline 1: 000000010000000000000008 archived without the record", problem.Text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Reading_the_archive_back_authenticates_every_file_and_names_a_tampered_segment()
    {
        await PushAsync(7, 8, 9);
        var overview = (await WalArchiveOverview.LoadAsync(_repository, "app", [], Ct))!;
        var reader = new WalArchiveReadCheck(_repository, "app");
        var clean = await reader.ReadAsync(overview.Contents, 100, 2, Ct);
        var stored = StoredFile(Segment(8));
        var bytes = await File.ReadAllBytesAsync(stored, Ct);
        bytes[bytes.Length / 2] ^= 1;
        await File.WriteAllBytesAsync(stored, bytes, Ct);

        var tampered = await reader.ReadAsync(overview.Contents, 100, 2, Ct);

        Assert.Equal((3, 0), (clean.Read, clean.Problems.Count));
        Assert.Equal(3, tampered.Read);
        Assert.StartsWith($"postgres/app/wal/00000001/{Segment(8)}: ", Assert.Single(tampered.Problems), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_source_with_neither_an_archive_nor_a_base_backup_has_no_overview()
    {
        Assert.Null(await WalArchiveOverview.LoadAsync(_repository, "app", [], Ct));
    }

    private static string Segment(ulong number) => WalFileName.OfNumber(1, number, SegmentSize).Text;

    private string StoredFile(string segment) => Path.Combine(RepositoryPath, "postgres", "app", "wal", "00000001", segment);

    // The fixture is segment 7; another segment is the same WAL with each page's address moved to where that segment lies.
    private async Task PushAsync(params ulong[] numbers)
    {
        Directory.CreateDirectory(Path.Combine(_dir, "pg_wal"));
        foreach (var number in numbers)
        {
            var path = Path.Combine(_dir, "pg_wal", Segment(number));
            await File.WriteAllBytesAsync(path, Renumbered(number), Ct);
            await _archive.PushAsync(path, Ct);
        }
    }

    private static byte[] Renumbered(ulong number)
    {
        var bytes = WalFixture.Segment();
        var shift = (number - 7) * SegmentSize;
        for (var page = 0; page + PageSize <= bytes.Length; page += PageSize)
        {
            var address = BinaryPrimitives.ReadUInt64LittleEndian(bytes.AsSpan(page + 8));
            if (address == 7 * (ulong)SegmentSize + (ulong)page)
                BinaryPrimitives.WriteUInt64LittleEndian(bytes.AsSpan(page + 8), address + shift);
        }

        return bytes;
    }

    private static BackupManifest BaseBackup(ulong first) => new()
    {
        Id = "2026-12-03T120000.000000Z-00000001",
        Source = PostgresDumpBackup.SourceType,
        Name = "app",
        Kind = PostgresBaseBackup.Kind,
        StartedAt = DateTimeOffset.UnixEpoch,
        FinishedAt = DateTimeOffset.UnixEpoch,
        Objects = [],
        Details = new BaseBackupInfo
        {
            Label = "test",
            StartPosition = new WalPosition(first * SegmentSize + 0x28).ToString(),
            StopPosition = new WalPosition(first * SegmentSize + 0x100).ToString(),
            Timeline = 1,
            FirstSegment = Segment(first),
            LastSegment = Segment(first),
            SystemId = "7715026332713570263",
            ServerVersion = "15",
            SegmentSize = SegmentSize,
            Tablespaces = [],
        }.ToDetails(),
    };
}
