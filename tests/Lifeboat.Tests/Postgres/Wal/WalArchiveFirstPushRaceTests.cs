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
/// Two clusters make their first push into one empty archive at the same time. A first push claims the archive for its
/// cluster with one create-if-absent before it stores anything; each pusher here has its own repository over the same
/// directory, and its store waits where the test orders the race: both find the archive unclaimed, then both try to
/// claim it (the first claimant, then the second).
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
    public async Task Of_two_clusters_racing_to_make_an_archives_first_push_the_first_claimant_wins_and_the_other_is_refused_having_stored_nothing(string secondName)
    {
        var first = WalFixture.Segment();
        var second = OfSecondCluster(WalFixture.Segment());
        var firstName = WalFileName.TryParse(WalFixture.Name)!;
        var secondFile = WalFileName.TryParse(secondName)!;
        await using var firstStore = new OrderedStore(new FileObjectStore(RepositoryPath));
        await using var secondStore = new OrderedStore(new FileObjectStore(RepositoryPath));
        var identity = WalArchiveLayout.IdentityKey("app");
        // Both find the archive unclaimed before either claims it; the first claims it before the second tries.
        firstStore.Before(OrderedStore.CreateNew, identity, secondStore.Left(OrderedStore.Read, identity));
        secondStore.Before(OrderedStore.CreateNew, identity, firstStore.Left(OrderedStore.CreateNew, identity));

        var firstPush = PushAsync(firstStore, Write("first", WalFixture.Name, first));
        var secondPush = PushAsync(secondStore, Write("second", secondName, second));

        Assert.Equal(WalPushOutcome.Stored, await firstPush.WaitAsync(Patience, Ct));
        var refused = await Assert.ThrowsAsync<LifeboatException>(() => secondPush.WaitAsync(Patience, Ct));
        Assert.StartsWith(
            $"refusing WAL file '{secondName}': it comes from the cluster with system identifier {SecondClusterId}, and this archive belongs to {FirstClusterId}",
            refused.Message,
            StringComparison.Ordinal);
        Assert.StartsWith("two clusters must not archive under one source name", refused.Hint, StringComparison.Ordinal);
        // The loser's one write was its claim, which the store refused; it uploaded nothing and deleted nothing.
        Assert.Equal([(OrderedStore.CreateNew, identity, false)], secondStore.Writes);
        Assert.DoesNotContain(firstStore.Writes, write => write.Call == OrderedStore.Delete);
        await using var repository = await OpenAsync(new FileObjectStore(RepositoryPath));
        var archive = new WalArchive(repository, "app");
        Assert.Equal(FirstClusterId, (await archive.IdentityAsync(Ct))!.SystemId);
        var fetched = Path.Combine(_dir, "RECOVERYXLOG");
        await archive.FetchAsync(WalFixture.Name, fetched, Ct);
        Assert.Equal(first, await File.ReadAllBytesAsync(fetched, Ct));
        Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(first)), (await archive.RecordAsync(firstName, Ct))!.Sha256);
        if (secondFile != firstName)
            Assert.Null(await repository.Store.StatAsync(FileKey(secondFile), Ct));
    }

    /// <summary>The same WAL as another cluster would have written it: only the first page's system identifier differs.</summary>
    private static byte[] OfSecondCluster(byte[] segment)
    {
        BinaryPrimitives.WriteUInt64LittleEndian(segment.AsSpan(24), SecondClusterId);
        return segment;
    }

    private static string FileKey(WalFileName name) => WalArchiveLayout.FileKey("app", name);

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
    /// A real file store that notes when a read or a write of a key has been answered (left), holds
    /// a call back until a condition the test set for it is met, and records every write and delete it passed on.
    /// </summary>
    private sealed class OrderedStore(IObjectStore inner) : InterceptedStore(inner)
    {
        public const string Read = "read";
        public const string Create = "create";
        public const string CreateNew = "create-new";
        public const string Delete = "delete";

        private readonly ConcurrentDictionary<(string Call, string Key), TaskCompletionSource> _left = new();
        private readonly ConcurrentDictionary<(string Call, string Key), Task> _conditions = new();
        private readonly ConcurrentQueue<(string Call, string Key, bool Done)> _writes = new();

        /// <summary>Every upload, create-if-absent and delete, in order, with whether it took effect.</summary>
        public IReadOnlyList<(string Call, string Key, bool Done)> Writes => [.. _writes];

        /// <summary>Holds every <paramref name="call"/> of <paramref name="key"/> back until <paramref name="condition"/> completes.</summary>
        public void Before(string call, string key, Task condition) => _conditions[(call, key)] = condition;

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
                _writes.Enqueue((Create, key, true));
                return await base.CreateAsync(key, cancellationToken);
            }
            finally
            {
                Signal(_left, Create, key).TrySetResult();
            }
        }

        public override async Task<bool> TryCreateNewAsync(string key, ReadOnlyMemory<byte> content, CancellationToken cancellationToken)
        {
            await EnterAsync(CreateNew, key, cancellationToken);
            try
            {
                var created = await base.TryCreateNewAsync(key, content, cancellationToken);
                _writes.Enqueue((CreateNew, key, created));
                return created;
            }
            finally
            {
                Signal(_left, CreateNew, key).TrySetResult();
            }
        }

        public override Task DeleteAsync(string key, CancellationToken cancellationToken)
        {
            _writes.Enqueue((Delete, key, true));
            return base.DeleteAsync(key, cancellationToken);
        }

        private async Task EnterAsync(string call, string key, CancellationToken cancellationToken)
        {
            if (_conditions.TryGetValue((call, key), out var condition))
                await condition.WaitAsync(Patience, cancellationToken);
        }

        private static TaskCompletionSource Signal(ConcurrentDictionary<(string Call, string Key), TaskCompletionSource> signals, string call, string key) =>
            signals.GetOrAdd((call, key), _ => new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously));
    }
}
