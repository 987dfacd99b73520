using Lifeboat.Format;
using Lifeboat.Postgres.Wal;
using Lifeboat.Repository;
using Lifeboat.Storage;
using Lifeboat.Tests.Format;

namespace Lifeboat.Tests.Postgres.Wal;

/// <summary>archive_command and restore_command's work on a real file repository, with a segment PostgreSQL 15 wrote.</summary>
public sealed class WalArchiveTests : IAsyncLifetime
{
    private const string Name = WalFixture.Name;
    private readonly string _dir = Directory.CreateTempSubdirectory("lifeboat-wal-").FullName;
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
    public async Task A_pushed_segment_comes_back_byte_for_byte_with_a_record_of_its_commits()
    {
        var segment = Write("pg_wal", Name, WalFixture.Segment());

        Assert.Equal(WalPushOutcome.Stored, await _archive.PushAsync(segment, Ct));
        var fetched = Path.Combine(_dir, "RECOVERYXLOG");
        await _archive.FetchAsync(Name, fetched, Ct);

        Assert.Equal(await File.ReadAllBytesAsync(segment, Ct), await File.ReadAllBytesAsync(fetched, Ct));
        var record = await _archive.RecordAsync(WalFileName.TryParse(Name)!, Ct);
        Assert.Equal((5L, 724u, 730u), (record!.Commits, record.FirstCommit!.TransactionId, record.LastCommit!.TransactionId));
        Assert.Equal(7715026332713570263UL, (await _archive.IdentityAsync(Ct))!.SystemId);
    }

    [Fact]
    public async Task Pushing_the_same_segment_again_succeeds_and_different_content_fails_keeping_the_stored_one()
    {
        var original = WalFixture.Segment();
        await _archive.PushAsync(Write("pg_wal", Name, original), Ct);
        var changed = (byte[])original.Clone();
        changed[0x7259A0 - 0x700000 + 40] ^= 1; // inside the first commit's time

        var again = await _archive.PushAsync(Write("again", Name, original), Ct);
        var conflict = await Assert.ThrowsAnyAsync<LifeboatException>(() => _archive.PushAsync(Write("other", Name, changed), Ct));

        Assert.Equal(WalPushOutcome.AlreadyArchived, again);
        Assert.StartsWith($"WAL file '{Name}' is already archived with different content (stored SHA-256 ", conflict.Message, StringComparison.Ordinal);
        Assert.EndsWith("the stored file is kept", conflict.Message, StringComparison.Ordinal);
        await _archive.FetchAsync(Name, Path.Combine(_dir, "back"), Ct);
        Assert.Equal(original, await File.ReadAllBytesAsync(Path.Combine(_dir, "back"), Ct));
    }

    [Fact]
    public async Task A_segment_of_another_cluster_is_refused_naming_both_system_identifiers()
    {
        await _archive.PushAsync(Write("pg_wal", Name, WalFixture.Segment()), Ct);
        var other = WalFixture.Segment();
        BitConverter.GetBytes(42UL).CopyTo(other, 24);

        var error = await Assert.ThrowsAnyAsync<LifeboatException>(() => _archive.PushAsync(Write("other", Name, other), Ct));

        Assert.StartsWith($"refusing WAL file '{Name}': it comes from the cluster with system identifier 42, and this archive belongs to 7715026332713570263", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_file_under_another_segments_name_or_cut_short_is_refused_and_nothing_is_stored()
    {
        var misnamed = await Assert.ThrowsAnyAsync<LifeboatException>(() => _archive.PushAsync(Write("pg_wal", "000000010000000000000008", WalFixture.Segment()), Ct));
        var cut = await Assert.ThrowsAnyAsync<LifeboatException>(() => _archive.PushAsync(Write("cut", Name, WalFixture.Segment()[..500_000]), Ct));
        var notWal = await Assert.ThrowsAnyAsync<LifeboatException>(() => _archive.PushAsync(Write("pg_wal", "postmaster.pid", [1, 2, 3]), Ct));

        Assert.Equal($"refusing WAL file '000000010000000000000008': its first page is at 0/700000, where segment 0000000000000007 starts", misnamed.Message);
        Assert.Equal($"refusing WAL file '{Name}': it is 500000 bytes long, and its header gives segments of 1048576", cut.Message);
        Assert.Equal(FailureKind.Usage, notWal.Kind);
        Assert.Empty(await ListAsync());
    }

    [Fact]
    public async Task Fetching_a_file_the_archive_lacks_is_told_apart_and_leaves_no_file()
    {
        var destination = Path.Combine(_dir, "RECOVERYXLOG");

        var error = await Assert.ThrowsAsync<WalFileMissingException>(() => _archive.FetchAsync("000000010000000000000009", destination, Ct));

        Assert.Equal("000000010000000000000009", error.FileName);
        Assert.False(File.Exists(destination));
        Assert.Empty(Directory.GetFiles(_dir, "RECOVERYXLOG*"));
    }

    [Fact]
    public async Task An_authentic_segment_put_in_place_of_another_is_refused_on_fetch_and_no_file_is_left()
    {
        await _archive.PushAsync(Write("pg_wal", Name, WalFixture.Segment()), Ct);
        var seven = Path.Combine(RepositoryPath, WalArchiveLayout.FileKey("app", WalFileName.TryParse(Name)!));
        var eight = Path.Combine(RepositoryPath, WalArchiveLayout.FileKey("app", WalFileName.TryParse("000000010000000000000008")!));
        File.Copy(seven, eight);
        var destination = Path.Combine(_dir, "RECOVERYXLOG");

        var error = await Assert.ThrowsAsync<EnvelopeCorruptException>(() => _archive.FetchAsync("000000010000000000000008", destination, Ct));

        Assert.Contains("it holds the WAL at 0/700000 of timeline 1, not segment 000000010000000000000008", error.Message, StringComparison.Ordinal);
        Assert.Empty(Directory.GetFiles(_dir, "RECOVERYXLOG*"));
    }

    [Fact]
    public async Task A_damaged_archived_segment_is_refused_on_fetch()
    {
        await _archive.PushAsync(Write("pg_wal", Name, WalFixture.Segment()), Ct);
        var stored = Path.Combine(RepositoryPath, WalArchiveLayout.FileKey("app", WalFileName.TryParse(Name)!));
        var bytes = await File.ReadAllBytesAsync(stored, Ct);
        bytes[bytes.Length / 2] ^= 0x10;
        await File.WriteAllBytesAsync(stored, bytes, Ct);

        await Assert.ThrowsAsync<EnvelopeCorruptException>(() => _archive.FetchAsync(Name, Path.Combine(_dir, "RECOVERYXLOG"), Ct));

        Assert.Empty(Directory.GetFiles(_dir, "RECOVERYXLOG*"));
    }

    [Fact]
    public async Task A_push_interrupted_before_its_record_is_completed_by_the_retry()
    {
        var segment = Write("pg_wal", Name, WalFixture.Segment());
        await _archive.PushAsync(segment, Ct);
        File.Delete(Path.Combine(RepositoryPath, WalArchiveLayout.RecordKey("app", WalFileName.TryParse(Name)!)));

        var retry = await _archive.PushAsync(segment, Ct);

        Assert.Equal(WalPushOutcome.AlreadyArchived, retry);
        Assert.Equal(5, (await _archive.RecordAsync(WalFileName.TryParse(Name)!, Ct))!.Commits);
    }

    [Fact]
    public async Task A_history_file_is_never_overwritten_with_other_content_and_a_damaged_one_is_refused()
    {
        const string History = "1\t0/3000158\tno recovery target specified\n";
        await _archive.PushAsync(Write("pg_wal", "00000002.history", System.Text.Encoding.ASCII.GetBytes(History)), Ct);

        var same = await _archive.PushAsync(Write("again", "00000002.history", System.Text.Encoding.ASCII.GetBytes(History)), Ct);
        var other = await Assert.ThrowsAnyAsync<LifeboatException>(() => _archive.PushAsync(Write("other", "00000002.history", System.Text.Encoding.ASCII.GetBytes("1\t0/4000000\tother\n")), Ct));
        var damaged = await Assert.ThrowsAnyAsync<LifeboatException>(() => _archive.PushAsync(Write("pg_wal", "00000003.history", System.Text.Encoding.ASCII.GetBytes("nonsense\n")), Ct));

        Assert.Equal(WalPushOutcome.AlreadyArchived, same);
        Assert.StartsWith("WAL file '00000002.history' is already archived with different content", other.Message, StringComparison.Ordinal);
        Assert.StartsWith("the history file of timeline 3 is damaged", damaged.Message, StringComparison.Ordinal);
        await _archive.FetchAsync("00000002.history", Path.Combine(_dir, "history"), Ct);
        Assert.Equal(History, await File.ReadAllTextAsync(Path.Combine(_dir, "history"), Ct));
    }

    [Fact]
    public async Task The_archive_contents_list_segments_per_timeline_and_a_history_reads_back_parsed()
    {
        await _archive.PushAsync(Write("pg_wal", Name, WalFixture.Segment()), Ct);
        await _archive.PushAsync(Write("pg_wal", "00000002.history", System.Text.Encoding.ASCII.GetBytes("1\t0/7000158\tbefore 2026-12-03\n")), Ct);

        var contents = await WalArchiveContents.ListAsync(_repository, "app", WalFileName.DefaultSegmentSize, Ct);
        var history = await _archive.HistoryAsync(2, Ct);

        Assert.Equal([1u, 2u], contents.Timelines);
        Assert.Equal([7UL], contents.Segments(1));
        Assert.True(contents.Has(1, 7) && !contents.Has(1, 8) && contents.HasHistory(2) && !contents.HasHistory(1));
        Assert.Empty(contents.Segments(2));
        Assert.Equal((1u, "0/7000158"), (history!.Branches.Single().Timeline, history.Branches.Single().End.ToString()));
        Assert.Null(await _archive.HistoryAsync(3, Ct));
    }

    private async Task<List<string>> ListAsync()
    {
        var keys = new List<string>();
        await foreach (var info in _repository.Store.ListAsync(WalArchiveLayout.Root("app"), Ct))
            keys.Add(info.Key);
        return keys;
    }

    private string Write(string folder, string name, byte[] bytes)
    {
        var directory = Path.Combine(_dir, folder);
        Directory.CreateDirectory(directory);
        var path = Path.Combine(directory, name);
        File.WriteAllBytes(path, bytes);
        return path;
    }

}
