using System.Collections.Concurrent;
using Lifeboat.Format;
using Lifeboat.Postgres.Wal;
using Lifeboat.Repository;
using Lifeboat.Storage;
using Lifeboat.Tests.Format;
using Lifeboat.TestKit.Storage;

namespace Lifeboat.Tests.Postgres.Wal;

/// <summary>
/// Prefetching for restore_command on a real file repository: the background prefetcher running in this process, the
/// foreground's hand-over, and which objects each of them read.
/// </summary>
public sealed class WalPrefetchTests : IAsyncLifetime
{
    private const long SegmentSize = 1 << 20; // the fixture's cluster was made with 1 MiB segments
    private readonly string _dir = Directory.CreateTempSubdirectory("lifeboat-prefetch-").FullName;
    private readonly CancellationTokenSource _stop = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
    private readonly Dictionary<string, byte[]> _segments = [];
    private ReadRecordingStore _store = null!;
    private BackupRepository _repository = null!;
    private WalArchive _archive = null!;
    private WalPrefetchSpool _spool = null!;
    private Task? _prefetcher;
    private int _directFetches;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync()
    {
        var keyFile = Path.Combine(_dir, "repo.key");
        KeyFile.Create(keyFile);
        _store = new ReadRecordingStore(new FileObjectStore(Path.Combine(_dir, "repo")));
        _repository = await BackupRepository.InitAsync(_store, KeySecret.FromKeyFile(keyFile), EnvelopeTestKit.Small(compressed: true, chunkSize: 1 << 16), Ct);
        _archive = new WalArchive(_repository, "app");
        _spool = WalPrefetchSpool.For(Path.Combine(_dir, "spool"), _repository.Config.Id, "app", Path.Combine(_dir, "pg_wal"));
        Directory.CreateDirectory(Path.Combine(_dir, "pg_wal"));
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        if (_prefetcher is not null)
            await _prefetcher.ContinueWith(_ => { }, TaskScheduler.Default);
        await _repository.DisposeAsync();
        _stop.Dispose();
        Directory.Delete(_dir, recursive: true);
    }

    [Fact]
    public async Task The_next_segments_are_fetched_ahead_and_the_foreground_hands_one_over_without_reading_the_repository()
    {
        await PushAsync(7, 12);
        var fetch = Foreground(ahead: 3);

        var first = await fetch.FetchAsync(Name(7), Destination, Ct);
        await WaitUntilAsync(() => _spool.Prefetched().SequenceEqual([Name(8), Name(9), Name(10)]));
        var readsBefore = _store.Reads(Name(8));
        var second = await fetch.FetchAsync(Name(8), Destination, Ct);

        Assert.Equal((WalFetchSource.Archive, WalFetchSource.Prefetched), (first, second));
        Assert.Equal(_segments[Name(8)], await File.ReadAllBytesAsync(Destination, Ct));
        Assert.Equal(1, readsBefore);
        Assert.Equal(1, _store.Reads(Name(8)));
        Assert.Equal(1, _directFetches);
        await WaitUntilAsync(() => _spool.Prefetched().SequenceEqual([Name(9), Name(10), Name(11)]));
        Assert.Empty(Directory.GetFiles(Path.Combine(_dir, "pg_wal"), "*.lifeboat-partial"));
    }

    [Fact]
    public async Task At_the_end_of_the_archive_it_stops_asking_and_never_holds_more_than_it_may()
    {
        await PushAsync(7, 9);
        var fetch = Foreground(ahead: 5);

        await fetch.FetchAsync(Name(7), Destination, Ct);
        await WaitUntilAsync(() => _spool.Prefetched().SequenceEqual([Name(8), Name(9)]) && _store.Reads(Name(10)) == 1);
        await Task.Delay(300, Ct);

        // Two fetches run at once: the one after the first missing segment may already have been asked for, never more.
        Assert.Equal(1, _store.Reads(Name(10)));
        Assert.InRange(_store.Reads(Name(11)), 0, 1);
        Assert.Equal(0, _store.Reads(Name(12)));
        Assert.Equal([Name(8), Name(9)], _spool.Prefetched());
    }

    [Fact]
    public async Task A_damaged_segment_is_never_kept_nor_asked_for_again_and_the_foreground_reports_it_itself()
    {
        await PushAsync(7, 11);
        var stored = Path.Combine(_dir, "repo", WalArchiveLayout.FileKey("app", WalFileName.TryParse(Name(9))!));
        var bytes = await File.ReadAllBytesAsync(stored, Ct);
        bytes[bytes.Length / 2] ^= 0x10;
        await File.WriteAllBytesAsync(stored, bytes, Ct);
        var fetch = Foreground(ahead: 4);
        var damagedTarget = Path.Combine(_dir, "pg_wal", "RECOVERYXLOG9");

        await fetch.FetchAsync(Name(7), Destination, Ct);
        await WaitUntilAsync(() => File.Exists(_spool.LogPath) && _spool.Prefetched().Contains(Name(8)));
        await Task.Delay(300, Ct);
        var readsOfNine = _store.Reads(Name(9));
        var readsOfEleven = _store.Reads(Name(11));
        var held = _spool.Prefetched();
        var damaged = await Assert.ThrowsAsync<EnvelopeCorruptException>(() => fetch.FetchAsync(Name(9), damagedTarget, Ct));

        Assert.Equal(1, readsOfNine);
        Assert.Equal(0, readsOfEleven);
        Assert.DoesNotContain(Name(9), held);
        Assert.Contains(Name(9), damaged.Message, StringComparison.Ordinal);
        Assert.False(File.Exists(damagedTarget));
        Assert.Contains($"{Name(9)} is damaged in the archive and was not kept", await File.ReadAllTextAsync(_spool.LogPath, Ct), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Segments_recovery_has_passed_are_removed_and_an_idle_prefetcher_empties_the_spool_and_exits()
    {
        await PushAsync(7, 14);
        var fetch = Foreground(ahead: 3, idleExit: TimeSpan.FromSeconds(2));

        await fetch.FetchAsync(Name(7), Destination, Ct);
        await WaitUntilAsync(() => _spool.Prefetched().SequenceEqual([Name(8), Name(9), Name(10)]));
        await fetch.FetchAsync(Name(11), Destination, Ct);
        await WaitUntilAsync(() => _spool.Prefetched().SequenceEqual([Name(12), Name(13), Name(14)]));
        await _prefetcher!.WaitAsync(TimeSpan.FromSeconds(10), Ct);

        Assert.Empty(_spool.Prefetched());
        Assert.False(WalPrefetcher.IsRunning(_spool));
    }

    [Fact]
    public async Task A_history_file_is_fetched_directly_and_starts_no_prefetcher()
    {
        await _archive.PushAsync(Write("00000002.history", System.Text.Encoding.ASCII.GetBytes("1\t0/7000158\tno recovery target specified\n")), Ct);
        var fetch = Foreground(ahead: 3);

        var from = await fetch.FetchAsync("00000002.history", Destination, Ct);

        Assert.Equal(WalFetchSource.Archive, from);
        Assert.Equal(1, _directFetches);
        Assert.Null(_prefetcher);
        Assert.False(Directory.Exists(_spool.Directory));
    }

    [Fact]
    public void A_prefetch_spool_others_may_read_or_write_is_refused_since_it_holds_plain_wal()
    {
        var root = Path.Combine(_dir, "shared");
        Directory.CreateDirectory(root);
        File.SetUnixFileMode(root, (UnixFileMode)0b111_111_111);
        var spool = WalPrefetchSpool.For(root, "repo", "app", "/srv/a/pg_wal");

        var error = Assert.Throws<LifeboatException>(spool.Create);

        Assert.Equal($"the WAL spool directory '{root}' may be read or written by other users", error.Message);
        Assert.NotEqual(WalSpool.For(root, "repo", "app", "/srv/a/pg_wal").Directory, spool.Directory);
    }

    [Fact]
    public async Task A_prefetched_segment_is_handed_over_whole_from_another_file_system()
    {
        // /dev/shm is a tmpfs: the move is a copy there, made durable and renamed into place like any other.
        var root = Path.Combine("/dev/shm", $"lifeboat-prefetch-{Guid.NewGuid():N}");
        var spool = new WalPrefetchSpool(Path.Combine(root, "spool"));
        try
        {
            spool.Create();
            var bytes = WalFixture.Segment();
            await File.WriteAllBytesAsync(spool.PathOf(Name(7)), bytes, Ct);

            var handed = spool.TryHandOver(Name(7), Destination);
            var again = spool.TryHandOver(Name(7), Destination);

            Assert.True(handed);
            Assert.False(again);
            Assert.Equal(bytes, await File.ReadAllBytesAsync(Destination, Ct));
            Assert.Empty(spool.Prefetched());
            Assert.Equal(["RECOVERYXLOG"], Directory.GetFiles(Path.Combine(_dir, "pg_wal")).Select(Path.GetFileName));
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }

    private string Destination => Path.Combine(_dir, "pg_wal", "RECOVERYXLOG");

    private static string Name(int number) => WalFileName.OfNumber(1, (ulong)number, SegmentSize).Text;

    private WalPrefetchingFetch Foreground(int ahead, TimeSpan? idleExit = null)
    {
        var prefetcher = new WalPrefetcher(_archive, _spool, new WalPrefetchSettings(ahead, 2, idleExit ?? TimeSpan.FromSeconds(30)));
        return new WalPrefetchingFetch(
            _spool,
            (name, destination, token) =>
            {
                Interlocked.Increment(ref _directFetches);
                return _archive.FetchAsync(name, destination, token);
            },
            () => _prefetcher ??= Task.Run(() => prefetcher.RunAsync(_stop.Token), _stop.Token));
    }

    /// <summary>Pushes segments <paramref name="first"/> to <paramref name="last"/>: the fixture, its first page moved to each one's position.</summary>
    private async Task PushAsync(int first, int last)
    {
        for (var number = first; number <= last; number++)
        {
            var bytes = WalFixture.Segment();
            BitConverter.GetBytes((ulong)number * SegmentSize).CopyTo(bytes, 8);
            _segments[Name(number)] = bytes;
            await _archive.PushAsync(Write(Name(number), bytes), Ct);
        }

        _store.Forget();
    }

    private string Write(string name, byte[] bytes)
    {
        var directory = Path.Combine(_dir, "server-wal");
        Directory.CreateDirectory(directory);
        var path = Path.Combine(directory, name);
        File.WriteAllBytes(path, bytes);
        return path;
    }

    private static async Task WaitUntilAsync(Func<bool> condition)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(20);
        while (!condition() && DateTime.UtcNow < deadline)
            await Task.Delay(20, Ct);
        Assert.True(condition(), "still not so after 20 s");
    }

    /// <summary>The file store, noting which WAL files were read (the records beside them aside).</summary>
    private sealed class ReadRecordingStore(IObjectStore inner) : InterceptedStore(inner)
    {
        private readonly ConcurrentDictionary<string, int> _reads = new(StringComparer.Ordinal);

        public int Reads(string fileName) => _reads.GetValueOrDefault(fileName);

        public void Forget() => _reads.Clear();

        public override Task<Stream> OpenReadAsync(string key, ByteRange? range, CancellationToken cancellationToken)
        {
            _reads.AddOrUpdate(key[(key.LastIndexOf('/') + 1)..], 1, (_, count) => count + 1);
            return base.OpenReadAsync(key, range, cancellationToken);
        }
    }
}
