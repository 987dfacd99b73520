using Lifeboat.Repository;
using Lifeboat.Storage;

namespace Lifeboat.Tests.Repository;

/// <summary>What killed runs leave behind, as the preflight reports it: stale locks warn, live ones do not, nothing is removed.</summary>
public sealed class RepositoryLeftoversTests
{
    private static readonly DateTimeOffset Now = new(2026, 12, 3, 3, 0, 0, TimeSpan.Zero);

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public void No_locks_is_ok() =>
        Assert.Equal(HealthCheck.Ok("locks", "no locks held"), RepositoryLeftovers.Locks([], Now));

    [Fact]
    public void A_lock_whose_heartbeat_stopped_warns_naming_it_and_points_at_removing_stale_locks()
    {
        var stale = Lock("20261203T010000Z-aaaaaaaa", heartbeat: Now - RepositoryLock.StaleAfter - TimeSpan.FromMinutes(1));
        var live = Lock("20261203T025900Z-bbbbbbbb", heartbeat: Now - TimeSpan.FromMinutes(1));

        var check = RepositoryLeftovers.Locks([stale, live], Now);

        Assert.Equal(HealthStatus.Warn, check.Status);
        Assert.Equal("stale " + stale.Describe(), check.Detail);
        Assert.Equal(new Remedy(RemedyAction.RemoveStaleLocks), check.Remedy);
    }

    [Fact]
    public void A_live_lock_is_ok_and_named()
    {
        var live = Lock("20261203T025900Z-bbbbbbbb", heartbeat: Now - TimeSpan.FromMinutes(1));

        var check = RepositoryLeftovers.Locks([live], Now);

        Assert.Equal(HealthStatus.Ok, check.Status);
        Assert.Contains(live.Describe(), check.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_upload_idle_longer_than_an_hour_warns_and_is_left_in_place()
    {
        var directory = Directory.CreateTempSubdirectory("lifeboat-leftovers-").FullName;
        try
        {
            await using var store = new FileObjectStore(directory);
            var temp = Path.Combine(directory, ".tmp");
            Directory.CreateDirectory(temp);
            var idle = Path.Combine(temp, "idle");
            await File.WriteAllBytesAsync(idle, new byte[2048], Ct);
            File.SetLastWriteTimeUtc(idle, DateTime.UtcNow - RepositoryLeftovers.UploadIdleFor - TimeSpan.FromMinutes(1));
            await File.WriteAllBytesAsync(Path.Combine(temp, "busy"), new byte[100], Ct);

            var check = await RepositoryLeftovers.CheckUploadsAsync(store, Ct);

            Assert.Equal(HealthStatus.Warn, check.Status);
            Assert.StartsWith($"1 abandoned upload(s) in {temp} hold 2.0 KiB", check.Detail, StringComparison.Ordinal);
            Assert.Contains("no running command holds a lock", check.Detail, StringComparison.Ordinal);
            Assert.True(File.Exists(idle));
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    [Fact]
    public void Idle_uploads_while_no_command_holds_a_lock_are_abandoned_and_the_hint_says_how_to_remove_them()
    {
        var stale = Lock("20261203T010000Z-aaaaaaaa", heartbeat: Now - RepositoryLock.StaleAfter - TimeSpan.FromMinutes(1));

        var check = RepositoryLeftovers.Uploads(new AbandonedUploads(2, 4096, "/repo/.tmp"), [stale], Now, inDirectory: true);

        Assert.Equal(HealthStatus.Warn, check.Status);
        Assert.Equal("2 abandoned upload(s) in /repo/.tmp hold 4.0 KiB: not written to for over 1 hour(s), and no running command holds a lock, so the runs that wrote them ended without finishing them", check.Detail);
        Assert.Equal("delete the files in /repo/.tmp that are older than 1 hour(s)", check.Hint);
    }

    [Fact]
    public void Idle_uploads_while_a_command_holds_a_live_lock_may_be_its_own_and_the_hint_does_not_advise_deleting_them()
    {
        // A backup whose dump has waited an hour on a table lock writes nothing meanwhile: its upload looks idle.
        var live = Lock("20261203T010000Z-bbbbbbbb", heartbeat: Now - TimeSpan.FromMinutes(1));

        var check = RepositoryLeftovers.Uploads(new AbandonedUploads(1, 2048, "/repo/.tmp"), [live], Now, inDirectory: true);

        Assert.Equal(HealthStatus.Warn, check.Status);
        Assert.Equal($"1 upload(s) in /repo/.tmp hold 2.0 KiB, not written to for over 1 hour(s); a running command may still own them: {live.Describe()}", check.Detail);
        Assert.DoesNotContain("abandoned", check.Detail, StringComparison.Ordinal);
        Assert.DoesNotContain("delete", check.Hint, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("abort", check.Hint, StringComparison.OrdinalIgnoreCase);
    }

    // Another host, so only the heartbeat tells whether its holder lives.
    private static LockRecord Lock(string id, DateTimeOffset heartbeat) => new()
    {
        Id = id,
        Exclusive = false,
        Scope = "postgres/app",
        Command = "backup postgres",
        Host = "another-host",
        Pid = 4242,
        CreatedAt = heartbeat,
        HeartbeatAt = heartbeat,
    };
}
