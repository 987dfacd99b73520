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
    private readonly ConcurrentQueue<string> _warnings = new();

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
        // Two fetches at once: 10 may start once 8 is in, and then holds its slot; 11 could only start after 9 failed.
        _store.Hold(Name(10));
        _store.Hold(Name(11));

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
            spool.RecordIdentity(IdentityOf(bytes));
            await File.WriteAllBytesAsync(spool.PathOf(Name(7)), bytes, Ct);

            var handed = spool.TryHandOver(Segment(7), Destination);
            var again = spool.TryHandOver(Segment(7), Destination);

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

    [Fact]
    public async Task A_fetch_that_finishes_after_recovery_moved_past_its_segment_never_enters_the_spool_so_it_never_holds_more_than_it_may()
    {
        await PushAsync(7, 12);
        _store.Hold(Name(8));
        _spool.Create();
        _spool.Request(Segment(7));
        var arrived = new ConcurrentQueue<string>();
        using var watcher = new FileSystemWatcher(_spool.Directory) { EnableRaisingEvents = true };
        watcher.Created += (_, e) => arrived.Enqueue(e.Name!);
        watcher.Renamed += (_, e) => arrived.Enqueue(e.Name!);
        var discarded = new TaskCompletionSource();
        watcher.Deleted += (_, e) => _ = e.Name == Path.GetFileName(_spool.StagingPathOf(Name(8))) && discarded.TrySetResult();
        _ = StartPrefetcher(ahead: 2, parallel: 3);

        // 8 is held back while 9 comes in; recovery fetches 8 itself and moves on, and 10 comes in: the spool is full.
        await WaitUntilAsync(() => _spool.Prefetched().SequenceEqual([Name(9)]) && _store.Reads(Name(8)) == 1);
        _spool.Request(Segment(8));
        await WaitUntilAsync(() => _spool.Prefetched().SequenceEqual([Name(9), Name(10)]));
        _store.Release(Name(8));
        await discarded.Task.WaitAsync(TimeSpan.FromSeconds(20), Ct);

        Assert.DoesNotContain(Name(8), arrived);
        Assert.Equal([Name(9), Name(10)], _spool.Prefetched());
    }

    [Fact]
    public async Task A_prefetcher_starting_while_restore_command_probes_its_lock_waits_the_probe_out_instead_of_exiting()
    {
        await PushAsync(7, 9);
        _spool.Create();
        _spool.Request(Segment(7));
        var probe = new FileStream(_spool.LockPath, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);

        var running = StartPrefetcher(ahead: 2, parallel: 2);
        await Task.Delay(300, Ct);
        await probe.DisposeAsync();
        await WaitUntilAsync(() => _spool.Prefetched().SequenceEqual([Name(8), Name(9)]));

        Assert.False(running.IsCompleted);
        Assert.True(WalPrefetcher.IsRunning(_spool));
    }

    [Fact]
    public async Task A_spool_no_prefetcher_runs_in_is_never_handed_over_and_the_prefetcher_started_clears_it_before_it_fetches()
    {
        await PushAsync(7, 10);
        _spool.Create();
        // Left by a prefetcher that was killed before the archive was reset: the same names, another cluster's bytes.
        var stale = _segments[Name(8)].ToArray();
        stale[24] ^= 0x01;
        await File.WriteAllBytesAsync(_spool.PathOf(Name(8)), stale, Ct);
        await File.WriteAllBytesAsync(_spool.PathOf(Name(9)), stale, Ct);
        await File.WriteAllBytesAsync(_spool.StagingPathOf(Name(10)), stale, Ct);
        _spool.RecordIdentity(IdentityOf(stale));
        var fetch = Foreground(ahead: 2);

        var from = await fetch.FetchAsync(Name(8), Destination, Ct);
        await WaitUntilAsync(() => _spool.Prefetched().SequenceEqual([Name(9), Name(10)]) && _store.Reads(Name(10)) == 1);

        Assert.Equal(WalFetchSource.Archive, from);
        Assert.Equal(_segments[Name(8)], await File.ReadAllBytesAsync(Destination, Ct));
        Assert.Equal(_segments[Name(9)], await File.ReadAllBytesAsync(_spool.PathOf(Name(9)), Ct));
        Assert.Equal(_segments[Name(10)], await File.ReadAllBytesAsync(_spool.PathOf(Name(10)), Ct));
        Assert.Equal(IdentityOf(_segments[Name(8)]), _spool.RecordedIdentity());
        Assert.Empty(_warnings);
    }

    [Fact]
    public async Task A_prefetched_file_of_another_cluster_is_refused_at_hand_over_with_one_warning_and_the_segment_is_fetched_directly()
    {
        await PushAsync(7, 10);
        var fetch = Foreground(ahead: 3);
        await fetch.FetchAsync(Name(7), Destination, Ct);
        await WaitUntilAsync(() => _spool.Prefetched().SequenceEqual([Name(8), Name(9), Name(10)]));
        var foreign = _segments[Name(8)].ToArray();
        foreign[24] ^= 0x01; // the system identifier
        await File.WriteAllBytesAsync(_spool.PathOf(Name(8)), foreign, Ct);

        var from = await fetch.FetchAsync(Name(8), Destination, Ct);

        Assert.Equal(WalFetchSource.Archive, from);
        Assert.Equal(_segments[Name(8)], await File.ReadAllBytesAsync(Destination, Ct));
        var warning = Assert.Single(_warnings);
        Assert.StartsWith($"prefetching failed (the prefetched file '{Name(8)}' is not that segment of the archive: it holds WAL of the cluster with system identifier", warning, StringComparison.Ordinal);
        Assert.Contains($"{Name(8)} is fetched directly.", warning, StringComparison.Ordinal);
        Assert.Empty(Directory.GetFiles(Path.Combine(_dir, "pg_wal"), "*.lifeboat-partial"));
    }

    [Fact]
    public async Task A_spool_directory_others_may_write_is_one_warning_and_the_segment_is_fetched_directly()
    {
        await PushAsync(7, 8);
        var root = Path.Combine(_dir, "shared");
        Directory.CreateDirectory(root);
        File.SetUnixFileMode(root, (UnixFileMode)0b111_111_111);
        var fetch = Foreground(ahead: 3, spool: WalPrefetchSpool.For(root, "repo", "app", Path.Combine(_dir, "pg_wal")));

        var from = await fetch.FetchAsync(Name(7), Destination, Ct);

        Assert.Equal(WalFetchSource.Archive, from);
        Assert.Equal(_segments[Name(7)], await File.ReadAllBytesAsync(Destination, Ct));
        Assert.Equal(
            $"prefetching failed (the WAL spool directory '{root}' may be read or written by other users); {Name(7)} is fetched directly. hint: chmod 700 '{root}' as the user PostgreSQL runs as, or choose another spool directory",
            Assert.Single(_warnings));
        Assert.Null(_prefetcher);
    }

    [Fact]
    public async Task A_file_where_the_spool_should_be_or_a_prefetcher_that_cannot_start_is_one_warning_and_the_segment_is_fetched_directly()
    {
        await PushAsync(7, 8);
        var blocked = Path.Combine(_dir, "not-a-directory");
        await File.WriteAllTextAsync(blocked, "", Ct);
        var inFile = Foreground(ahead: 3, spool: WalPrefetchSpool.For(blocked, "repo", "app", Path.Combine(_dir, "pg_wal")));
        var noStart = Foreground(ahead: 3, startPrefetcher: () => throw new System.ComponentModel.Win32Exception(2, "no such file: lifeboat"));

        var fromInFile = await inFile.FetchAsync(Name(7), Destination, Ct);
        var fromNoStart = await noStart.FetchAsync(Name(8), Destination + "8", Ct);

        Assert.Equal((WalFetchSource.Archive, WalFetchSource.Archive), (fromInFile, fromNoStart));
        Assert.Equal(_segments[Name(7)], await File.ReadAllBytesAsync(Destination, Ct));
        Assert.Equal(_segments[Name(8)], await File.ReadAllBytesAsync(Destination + "8", Ct));
        Assert.Collection(
            _warnings,
            first => Assert.Matches($"^prefetching failed \\(.+\\); {Name(7)} is fetched directly\\.$", first),
            second => Assert.Equal($"prefetching failed (no such file: lifeboat); {Name(8)} is fetched directly.", second));
    }

    private string Destination => Path.Combine(_dir, "pg_wal", "RECOVERYXLOG");

    private static string Name(int number) => Segment(number).Text;

    private static WalFileName Segment(int number) => WalFileName.OfNumber(1, (ulong)number, SegmentSize);

    private static WalPrefetchIdentity IdentityOf(byte[] segment)
    {
        var header = WalPageHeader.Read(segment)!;
        return new WalPrefetchIdentity(header.SystemId, header.Magic, header.SegmentSize);
    }

    private WalPrefetchingFetch Foreground(int ahead, TimeSpan? idleExit = null, WalPrefetchSpool? spool = null, Action? startPrefetcher = null)
    {
        spool ??= _spool;
        var prefetcher = new WalPrefetcher(_archive, spool, new WalPrefetchSettings(ahead, 2, idleExit ?? TimeSpan.FromSeconds(30)));
        return new WalPrefetchingFetch(
            spool,
            (name, destination, token) =>
            {
                Interlocked.Increment(ref _directFetches);
                return _archive.FetchAsync(name, destination, token);
            },
            startPrefetcher ?? (() => _prefetcher ??= Task.Run(() => prefetcher.RunAsync(_stop.Token), _stop.Token)),
            _warnings.Enqueue);
    }

    private Task StartPrefetcher(int ahead, int parallel)
    {
        var prefetcher = new WalPrefetcher(_archive, _spool, new WalPrefetchSettings(ahead, parallel, TimeSpan.FromSeconds(30)));
        return _prefetcher = Task.Run(() => prefetcher.RunAsync(_stop.Token), _stop.Token);
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

    /// <summary>
    /// The file store, noting which WAL files were read (the records beside them aside), and holding back the reads of
    /// the files a test names until it lets them go, so that what runs at once is the test's choice, not the machine's.
    /// </summary>
    private sealed class ReadRecordingStore(IObjectStore inner) : InterceptedStore(inner)
    {
        private readonly ConcurrentDictionary<string, int> _reads = new(StringComparer.Ordinal);
        private readonly ConcurrentDictionary<string, TaskCompletionSource> _held = new(StringComparer.Ordinal);

        public int Reads(string fileName) => _reads.GetValueOrDefault(fileName);

        public void Forget() => _reads.Clear();

        public void Hold(string fileName) => _held[fileName] = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);

        public void Release(string fileName) => _held[fileName].TrySetResult();

        public override async Task<Stream> OpenReadAsync(string key, ByteRange? range, CancellationToken cancellationToken)
        {
            var fileName = key[(key.LastIndexOf('/') + 1)..];
            _reads.AddOrUpdate(fileName, 1, (_, count) => count + 1);
            if (_held.TryGetValue(fileName, out var held))
                await held.Task.WaitAsync(cancellationToken);
            return await base.OpenReadAsync(key, range, cancellationToken);
        }
    }
}
