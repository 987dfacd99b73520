using System.Buffers.Binary;
using Lifeboat.Format;
using Lifeboat.Postgres.Wal;
using Lifeboat.Repository;
using Lifeboat.Storage;
using Lifeboat.TestKit.Storage;
using Lifeboat.Tests.Format;

namespace Lifeboat.Tests.Postgres.Wal;

/// <summary>
/// An archive's first push claims it for its cluster with a create-if-absent on a real file repository: racing for real,
/// meeting its own claim, and on a store that ignores the condition.
/// </summary>
public sealed class WalArchiveClaimTests : IAsyncLifetime
{
    private const ulong FirstClusterId = 7715026332713570263UL;
    private const ulong SecondClusterId = 7715026332713570999UL;
    private const string OtherName = "000000020000000000000007";
    private const int Rounds = 40;

    private readonly string _dir = Directory.CreateTempSubdirectory("lifeboat-wal-claim-").FullName;
    private string _keyFile = null!;
    private string _firstPath = null!;
    private string _secondPath = null!;
    private string _firstsOtherPath = null!;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static EnvelopeOptions Envelope => EnvelopeTestKit.Small(compressed: true, chunkSize: 1 << 16);

    private string RepositoryPath => Path.Combine(_dir, "repo");

    public async ValueTask InitializeAsync()
    {
        _keyFile = Path.Combine(_dir, "repo.key");
        KeyFile.Create(_keyFile);
        await using var repository = await BackupRepository.InitAsync(new FileObjectStore(RepositoryPath), KeySecret.FromKeyFile(_keyFile), Envelope, Ct);
        var segment = WalFixture.Segment();
        _firstPath = Write("first", WalFixture.Name, segment);
        _firstsOtherPath = Write("first", OtherName, segment);
        BinaryPrimitives.WriteUInt64LittleEndian(segment.AsSpan(24), SecondClusterId);
        _secondPath = Write("second", OtherName, segment);
    }

    public ValueTask DisposeAsync()
    {
        Directory.Delete(_dir, recursive: true);
        return ValueTask.CompletedTask;
    }

    [Fact]
    public async Task Of_two_clusters_making_an_archives_first_push_at_the_same_moment_exactly_one_wins_every_time()
    {
        await using var firstRepository = await OpenAsync(new FileObjectStore(RepositoryPath));
        await using var secondRepository = await OpenAsync(new FileObjectStore(RepositoryPath));
        var wins = new int[2];
        for (var round = 0; round < Rounds; round++)
        {
            var source = $"app{round}";
            var outcomes = await RaceAsync(new WalArchive(firstRepository, source).PushAsync, _firstPath, new WalArchive(secondRepository, source).PushAsync, _secondPath);

            var winner = Array.FindIndex(outcomes, o => o.Error is null);
            Assert.True(outcomes.Count(o => o.Error is null) == 1, $"round {round}: {string.Join("; ", outcomes.Select(o => o.Error?.Message ?? "stored"))}");
            var loser = 1 - winner;
            var (winnerId, loserId) = winner == 0 ? (FirstClusterId, SecondClusterId) : (SecondClusterId, FirstClusterId);
            Assert.StartsWith($"refusing WAL file '", outcomes[loser].Error!.Message, StringComparison.Ordinal);
            Assert.EndsWith($"it comes from the cluster with system identifier {loserId}, and this archive belongs to {winnerId}", outcomes[loser].Error!.Message, StringComparison.Ordinal);
            var archive = new WalArchive(firstRepository, source);
            Assert.Equal(winnerId, (await archive.IdentityAsync(Ct))!.SystemId);
            var (winnerName, loserName) = winner == 0 ? (WalFixture.Name, OtherName) : (OtherName, WalFixture.Name);
            Assert.NotNull(await archive.RecordAsync(WalFileName.TryParse(winnerName)!, Ct));
            Assert.Null(await firstRepository.Store.StatAsync(WalArchiveLayout.FileKey(source, WalFileName.TryParse(loserName)!), Ct));
            wins[winner]++;
        }

        // Either may win, depending on the moment; the claim is what decides, never which push stores first.
        Assert.Equal(Rounds, wins.Sum());
    }

    [Fact]
    public async Task Two_pushers_of_one_cluster_making_an_archives_first_push_at_the_same_moment_both_store()
    {
        await using var firstRepository = await OpenAsync(new FileObjectStore(RepositoryPath));
        await using var secondRepository = await OpenAsync(new FileObjectStore(RepositoryPath));
        for (var round = 0; round < Rounds / 4; round++)
        {
            var source = $"app{round}";
            var outcomes = await RaceAsync(new WalArchive(firstRepository, source).PushAsync, _firstPath, new WalArchive(secondRepository, source).PushAsync, _firstsOtherPath);

            Assert.All(outcomes, o => Assert.Equal(WalPushOutcome.Stored, o.Outcome));
            Assert.Equal(FirstClusterId, (await new WalArchive(firstRepository, source).IdentityAsync(Ct))!.SystemId);
        }
    }

    [Fact]
    public async Task A_first_push_that_finds_the_claim_its_own_lost_reply_made_goes_on_and_stores_its_segment()
    {
        await using var repository = await OpenAsync(new ReplyLosingStore(new FileObjectStore(RepositoryPath)));
        var archive = new WalArchive(repository, "app");

        Assert.Equal(WalPushOutcome.Stored, await archive.PushAsync(_firstPath, Ct));

        Assert.Equal(FirstClusterId, (await archive.IdentityAsync(Ct))!.SystemId);
        await archive.FetchAsync(WalFixture.Name, Path.Combine(_dir, "fetched"), Ct);
        Assert.Equal(await File.ReadAllBytesAsync(_firstPath, Ct), await File.ReadAllBytesAsync(Path.Combine(_dir, "fetched"), Ct));
    }

    [Fact]
    public async Task A_store_that_ignores_create_if_absent_still_archives_and_still_refuses_a_second_cluster_afterwards()
    {
        await using var repository = await OpenAsync(new ConditionIgnoringStore(new FileObjectStore(RepositoryPath)));
        var archive = new WalArchive(repository, "app");

        Assert.Equal(WalPushOutcome.Stored, await archive.PushAsync(_firstPath, Ct));
        var error = await Assert.ThrowsAsync<LifeboatException>(() => archive.PushAsync(_secondPath, Ct));

        Assert.Contains("it comes from the cluster with system identifier", error.Message, StringComparison.Ordinal);
        Assert.NotNull(await repository.Store.StatAsync(WalArchiveLayout.FileKey("app", WalFileName.TryParse(WalFixture.Name)!), Ct));
    }

    [Fact]
    public async Task On_a_store_that_ignores_the_condition_a_first_push_whose_claim_is_no_longer_its_own_after_storing_fails_so_that_it_is_retried()
    {
        var store = new ClaimLostWhileStoringStore(new FileObjectStore(RepositoryPath));
        await using var repository = await OpenAsync(store);
        var archive = new WalArchive(repository, "app");

        var error = await Assert.ThrowsAsync<LifeboatException>(() => archive.PushAsync(_firstPath, Ct));

        Assert.Equal(
            $"WAL file '{WalFixture.Name}' may have been overwritten: another cluster claimed WAL archive 'postgres/app/wal/' in {repository.Store.Location} while this one made its first push",
            error.Message);
        Assert.True(store.ClaimRemoved);
    }

    [Fact]
    public async Task A_first_push_whose_claim_vanishes_before_it_is_read_fails_so_that_it_is_retried_and_stores_nothing()
    {
        await using var repository = await OpenAsync(new ClaimVanishingStore(new FileObjectStore(RepositoryPath)));
        var archive = new WalArchive(repository, "app");

        var error = await Assert.ThrowsAsync<LifeboatException>(() => archive.PushAsync(_firstPath, Ct));

        Assert.Equal(
            $"the record of which cluster WAL archive 'postgres/app/wal/' belongs to was deleted in {repository.Store.Location} while this push claimed the archive",
            error.Message);
        Assert.Empty(await repository.Store.ListAsync("postgres/", Ct).ToListAsync(Ct));
    }

    /// <summary>Runs both pushes on their own threads, released at one moment, and returns how each ended.</summary>
    private static async Task<PushResult[]> RaceAsync(
        Func<string, CancellationToken, Task<WalPushOutcome>> firstPush, string firstPath, Func<string, CancellationToken, Task<WalPushOutcome>> secondPush, string secondPath)
    {
        using var start = new Barrier(2);
        var pushes = new[] { (firstPush, firstPath), (secondPush, secondPath) }.Select(p => Task.Run(
            async () =>
            {
                start.SignalAndWait(Ct);
                try
                {
                    return new PushResult(await p.Item1(p.Item2, Ct), null);
                }
                catch (LifeboatException e)
                {
                    return new PushResult(null, e);
                }
            },
            Ct));
        return await Task.WhenAll(pushes);
    }

    private Task<BackupRepository> OpenAsync(IObjectStore store) =>
        BackupRepository.OpenAsync(store, () => KeySecret.FromKeyFile(_keyFile), Envelope, Ct);

    private string Write(string directory, string name, byte[] bytes)
    {
        var path = Path.Combine(_dir, directory, name);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllBytes(path, bytes);
        return path;
    }

    private sealed record PushResult(WalPushOutcome? Outcome, LifeboatException? Error);

    /// <summary>Creates, then answers as an S3 retry after a lost reply would: the object exists (its own).</summary>
    private sealed class ReplyLosingStore(IObjectStore inner) : InterceptedStore(inner)
    {
        public override async Task<bool> TryCreateNewAsync(string key, ReadOnlyMemory<byte> content, CancellationToken cancellationToken)
        {
            await base.TryCreateNewAsync(key, content, cancellationToken);
            return false;
        }
    }

    /// <summary>Refuses every create-if-absent, as though another claim had been there and was deleted at once.</summary>
    private sealed class ClaimVanishingStore(IObjectStore inner) : InterceptedStore(inner)
    {
        public override Task<bool> TryCreateNewAsync(string key, ReadOnlyMemory<byte> content, CancellationToken cancellationToken) => Task.FromResult(false);
    }

    /// <summary>Ignores the condition, and loses the claim while the segment is stored, as when another cluster's claim replaced it.</summary>
    private sealed class ClaimLostWhileStoringStore(IObjectStore inner) : InterceptedStore(inner)
    {
        public bool ClaimRemoved { get; private set; }

        public override async Task<bool> TryCreateNewAsync(string key, ReadOnlyMemory<byte> content, CancellationToken cancellationToken)
        {
            await using var upload = await CreateAsync(key, cancellationToken);
            await upload.WriteAsync(content, cancellationToken);
            await upload.CompleteAsync(cancellationToken);
            return true;
        }

        public override async Task<ObjectUpload> CreateAsync(string key, CancellationToken cancellationToken)
        {
            if (key.EndsWith(WalFixture.Name, StringComparison.Ordinal) && !ClaimRemoved)
            {
                await DeleteAsync(WalArchiveLayout.IdentityKey("app"), cancellationToken);
                ClaimRemoved = true;
            }

            return await base.CreateAsync(key, cancellationToken);
        }
    }

    /// <summary>As an S3 server that does not know If-None-Match: every conditional create overwrites and succeeds.</summary>
    private sealed class ConditionIgnoringStore(IObjectStore inner) : InterceptedStore(inner)
    {
        public override async Task<bool> TryCreateNewAsync(string key, ReadOnlyMemory<byte> content, CancellationToken cancellationToken)
        {
            await using var upload = await CreateAsync(key, cancellationToken);
            await upload.WriteAsync(content, cancellationToken);
            await upload.CompleteAsync(cancellationToken);
            return true;
        }
    }
}
