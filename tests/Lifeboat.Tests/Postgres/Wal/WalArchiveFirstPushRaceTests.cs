using System.Buffers.Binary;
using System.Collections.Concurrent;
using System.Security.Cryptography;
using Lifeboat.Format;
using Lifeboat.Postgres.Wal;
using Lifeboat.Repository;
using Lifeboat.Storage;
using Lifeboat.TestKit.Storage;
using Lifeboat.Tests.Format;

namespace Lifeboat.Tests.Postgres.Wal;

/// <summary>
/// Two clusters make their first push into one empty archive at the same time. The store has no create-if-absent, so
/// a first push claims the archive for its cluster, stores its segment and reads both back; each pusher here has its
/// own repository over the same directory, and its store waits where the test orders the race: both find the archive
/// unclaimed, both claim it (the first claimant, then the second), both store their segments, then both read back.
/// </summary>
public sealed class WalArchiveFirstPushRaceTests : IAsyncLifetime
{
    private const ulong FirstClusterId = 7715026332713570263UL;
    private const ulong SecondClusterId = 7715026332713570999UL;
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

    private readonly string _dir = Directory.CreateTempSubdirectory("lifeboat-wal-race-").FullName;
    private string _keyFile = null!;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private string RepositoryPath => Path.Combine(_dir, "repo");

    public async ValueTask InitializeAsync()
    {
        _keyFile = Path.Combine(_dir, "repo.key");
        KeyFile.Create(_keyFile);
        await using var repository = await BackupRepository.InitAsync(new FileObjectStore(RepositoryPath), KeySecret.FromKeyFile(_keyFile), Envelope, Ct);
    }

    public ValueTask DisposeAsync()
    {
        Directory.Delete(_dir, recursive: true);
        return ValueTask.CompletedTask;
    }

    private static EnvelopeOptions Envelope => EnvelopeTestKit.Small(compressed: true, chunkSize: 1 << 16);

    [Theory]
    [InlineData(WalFixture.Name)]
    [InlineData("000000020000000000000007")]
    public async Task Of_two_clusters_racing_to_make_an_archives_first_push_the_last_claimant_wins_and_the_other_is_refused_as_another_cluster(string secondName)
    {
        var first = WalFixture.Segment();
        var second = OfSecondCluster(WalFixture.Segment());
        var firstName = WalFileName.TryParse(WalFixture.Name)!;
        var secondFile = WalFileName.TryParse(secondName)!;
        var sameName = secondFile == firstName;
        await using var firstStore = new OrderedStore(new FileObjectStore(RepositoryPath));
        await using var secondStore = new OrderedStore(new FileObjectStore(RepositoryPath));
        var identity = WalArchiveLayout.IdentityKey("app");
        // Both find the archive unclaimed before either claims it; the first claims it before the second does.
        firstStore.Before(OrderedStore.Create, identity, secondStore.Left(OrderedStore.Read, identity));
        secondStore.Before(OrderedStore.Create, identity, firstStore.Arrived(OrderedStore.Create, FileKey(firstName)));
        // With one name, the second cluster's segment lands over the first's.
        if (sameName)
            secondStore.Before(OrderedStore.Create, FileKey(secondFile), firstStore.Arrived(OrderedStore.Create, RecordKey(firstName)));
        // The first reads back only once the second's segment is stored too.
        firstStore.Before(OrderedStore.Read, FileKey(firstName), secondStore.Arrived(OrderedStore.Create, RecordKey(secondFile)));

        var firstPush = PushAsync(firstStore, Write("first", WalFixture.Name, first));
        var secondPush = PushAsync(secondStore, Write("second", secondName, second));

        Assert.Equal(WalPushOutcome.Stored, await secondPush.WaitAsync(Patience, Ct));
        var refused = await Assert.ThrowsAsync<LifeboatException>(() => firstPush.WaitAsync(Patience, Ct));
        Assert.StartsWith(
            $"refusing WAL file '{WalFixture.Name}': it comes from the cluster with system identifier {FirstClusterId}, and this archive belongs to {SecondClusterId}",
            refused.Message,
            StringComparison.Ordinal);
        Assert.StartsWith("two clusters must not archive under one source name", refused.Hint, StringComparison.Ordinal);
        await using var repository = await OpenAsync(new FileObjectStore(RepositoryPath));
        var archive = new WalArchive(repository, "app");
        Assert.Equal(SecondClusterId, (await archive.IdentityAsync(Ct))!.SystemId);
        var fetched = Path.Combine(_dir, "RECOVERYXLOG");
        await archive.FetchAsync(secondName, fetched, Ct);
        Assert.Equal(second, await File.ReadAllBytesAsync(fetched, Ct));
        Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(second)), (await archive.RecordAsync(secondFile, Ct))!.Sha256);
        // The loser never deletes what it stored (by then the winner may have stored over it and been told so): under
        // another name, its segment stays.
        Assert.NotNull(await repository.Store.StatAsync(FileKey(firstName), Ct));
    }

    /// <summary>The same WAL as another cluster would have written it: only the first page's system identifier differs.</summary>
    private static byte[] OfSecondCluster(byte[] segment)
    {
        BinaryPrimitives.WriteUInt64LittleEndian(segment.AsSpan(24), SecondClusterId);
        return segment;
    }

    private static string FileKey(WalFileName name) => WalArchiveLayout.FileKey("app", name);

    private static string RecordKey(WalFileName name) => WalArchiveLayout.RecordKey("app", name);

    private Task<BackupRepository> OpenAsync(IObjectStore store) =>
        BackupRepository.OpenAsync(store, () => KeySecret.FromKeyFile(_keyFile), Envelope, Ct);

    /// <summary>One cluster's archive_command: its own repository, opened on its own thread, as another process would.</summary>
    private Task<WalPushOutcome> PushAsync(IObjectStore store, string path) => Task.Run(
        async () =>
        {
            await using var repository = await OpenAsync(store);
            return await new WalArchive(repository, "app").PushAsync(path, Ct);
        },
        Ct);

    private string Write(string directory, string name, byte[] bytes)
    {
        var path = Path.Combine(_dir, directory, name);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllBytes(path, bytes);
        return path;
    }

    /// <summary>
    /// A real file store that notes when a read or an upload of a key starts (arrived) and has been answered (left),
    /// and holds a call back until a condition the test set for it is met.
    /// </summary>
    private sealed class OrderedStore(IObjectStore inner) : InterceptedStore(inner)
    {
        public const string Read = "read";
        public const string Create = "create";

        private readonly ConcurrentDictionary<(string Call, string Key), TaskCompletionSource> _arrived = new();
        private readonly ConcurrentDictionary<(string Call, string Key), TaskCompletionSource> _left = new();
        private readonly ConcurrentDictionary<(string Call, string Key), Task> _conditions = new();

        /// <summary>Holds every <paramref name="call"/> of <paramref name="key"/> back until <paramref name="condition"/> completes.</summary>
        public void Before(string call, string key, Task condition) => _conditions[(call, key)] = condition;

        /// <summary>Completes when a <paramref name="call"/> of <paramref name="key"/> has started (past its condition).</summary>
        public Task Arrived(string call, string key) => Signal(_arrived, call, key).Task;

        /// <summary>Completes when a <paramref name="call"/> of <paramref name="key"/> has been answered, or has failed.</summary>
        public Task Left(string call, string key) => Signal(_left, call, key).Task;

        public override async Task<Stream> OpenReadAsync(string key, ByteRange? range, CancellationToken cancellationToken)
        {
            await EnterAsync(Read, key, cancellationToken);
            try
            {
                return await base.OpenReadAsync(key, range, cancellationToken);
            }
            finally
            {
                Signal(_left, Read, key).TrySetResult();
            }
        }

        public override async Task<ObjectUpload> CreateAsync(string key, CancellationToken cancellationToken)
        {
            await EnterAsync(Create, key, cancellationToken);
            try
            {
                return await base.CreateAsync(key, cancellationToken);
            }
            finally
            {
                Signal(_left, Create, key).TrySetResult();
            }
        }

        private async Task EnterAsync(string call, string key, CancellationToken cancellationToken)
        {
            if (_conditions.TryGetValue((call, key), out var condition))
                await condition.WaitAsync(Patience, cancellationToken);
            Signal(_arrived, call, key).TrySetResult();
        }

        private static TaskCompletionSource Signal(ConcurrentDictionary<(string Call, string Key), TaskCompletionSource> signals, string call, string key) =>
            signals.GetOrAdd((call, key), _ => new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously));
    }
}
