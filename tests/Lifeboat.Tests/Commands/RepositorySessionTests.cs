using Lifeboat.Cli.Commands;
using Lifeboat.Cli.Configuration;
using Lifeboat.Format;
using Lifeboat.Repository;
using Lifeboat.Storage;
using Lifeboat.Tests.Format;

namespace Lifeboat.Tests.Commands;

public sealed class RepositorySessionTests : IAsyncLifetime
{
    private readonly string _dir = Directory.CreateTempSubdirectory("lifeboat-session-").FullName;
    private FileObjectStore _store = null!;
    private BackupRepository _repository = null!;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync()
    {
        var keyFile = Path.Combine(_dir, "repo.key");
        KeyFile.Create(keyFile);
        _store = new FileObjectStore(Path.Combine(_dir, "repo"));
        _repository = await BackupRepository.InitAsync(_store, KeySecret.FromKeyFile(keyFile), EnvelopeTestKit.Small(compressed: true), Ct);
    }

    public async ValueTask DisposeAsync()
    {
        await _repository.DisposeAsync();
        Directory.Delete(_dir, recursive: true);
    }

    [Fact]
    public async Task Work_under_a_lock_that_is_lost_stops_and_fails_with_why_not_as_interrupted()
    {
        var held = await RepositoryLock.AcquireAsync(_store, LockScope.Repository, exclusive: false, "backup postgres", TimeSpan.FromMilliseconds(40), TimeSpan.FromMinutes(10), Ct);
        var settings = new LifeboatSettings("test", new RepositorySettings(_store.Location, null!, new EncryptionSettings(null, null), 3), []);
        await using var session = new RepositorySession(settings, _repository, Ct);
        session.Hold(held);

        var error = await Assert.ThrowsAsync<LifeboatException>(() => session.RunAsync<int>(async work =>
        {
            await RepositoryLock.RemoveAsync(_store, all: true, Ct);
            await Task.Delay(TimeSpan.FromSeconds(30), work);
            return 0;
        }));

        Assert.Contains("was removed while it ran", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Work_that_finishes_after_the_lock_was_lost_is_still_reported_as_failed()
    {
        var held = await RepositoryLock.AcquireAsync(_store, LockScope.Repository, exclusive: false, "backup postgres", TimeSpan.FromMilliseconds(40), TimeSpan.FromMinutes(10), Ct);
        var settings = new LifeboatSettings("test", new RepositorySettings(_store.Location, null!, new EncryptionSettings(null, null), 3), []);
        await using var session = new RepositorySession(settings, _repository, Ct);
        session.Hold(held);

        // The work ignores its token, as a last write already under way would.
        var error = await Assert.ThrowsAsync<LifeboatException>(() => session.RunAsync(async _ =>
        {
            await RepositoryLock.RemoveAsync(_store, all: true, Ct);
            while (!held.Lost.IsCancellationRequested)
                await Task.Delay(20, Ct);
        }));

        Assert.Contains("was removed while it ran", error.Message, StringComparison.Ordinal);
    }
}
