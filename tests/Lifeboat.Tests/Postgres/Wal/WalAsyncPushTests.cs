using Lifeboat.Postgres.Wal;

namespace Lifeboat.Tests.Postgres.Wal;

/// <summary>What archive_command's side of asynchronous archiving does with the background pusher's verdicts.</summary>
public sealed class WalAsyncPushTests : IDisposable
{
    private const string Segment = "000000010000000000000007";
    private readonly string _dir = Directory.CreateTempSubdirectory("lifeboat-spool-").FullName;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private string SegmentPath => Path.Combine(_dir, Segment);

    private WalFileStamp WriteSegment(string content = "segment")
    {
        File.WriteAllText(SegmentPath, content);
        return WalFileStamp.Of(SegmentPath)!;
    }

    [Fact]
    public async Task A_stored_verdict_succeeds_once_and_is_taken_so_that_a_later_request_pushes_again()
    {
        var spool = new WalSpool(Path.Combine(_dir, "spool"));
        spool.Create();
        var stamp = WriteSegment();
        spool.MarkStored(Segment, stamp);
        var starts = 0;

        await new WalAsyncPush(spool, () => starts++, TimeSpan.FromSeconds(5)).WaitAsync(SegmentPath, Ct);

        Assert.False(spool.IsStored(Segment, stamp));
        Assert.Equal(0, starts);
    }

    [Fact]
    public async Task A_failed_verdict_fails_with_the_pushers_reason_so_that_postgresql_retries()
    {
        var spool = new WalSpool(Path.Combine(_dir, "spool"));
        spool.Create();
        var stamp = WriteSegment();
        spool.MarkFailed(Segment, stamp, "cannot reach the store");

        var error = await Assert.ThrowsAnyAsync<LifeboatException>(() => new WalAsyncPush(spool, () => { }, TimeSpan.FromSeconds(5)).WaitAsync(SegmentPath, Ct));

        Assert.Equal($"archiving {Segment} failed in the background: cannot reach the store", error.Message);
        Assert.False(spool.TakeVerdict(Segment, stamp));
    }

    [Fact]
    public async Task Without_a_verdict_it_starts_a_pusher_and_fails_after_its_timeout_instead_of_claiming_success()
    {
        var spool = new WalSpool(Path.Combine(_dir, "spool"));
        WriteSegment();
        var starts = 0;

        var error = await Assert.ThrowsAnyAsync<LifeboatException>(() => new WalAsyncPush(spool, () => starts++, TimeSpan.FromSeconds(1)).WaitAsync(SegmentPath, Ct));

        Assert.Equal($"the background pusher did not archive {Segment} within 1 s", error.Message);
        Assert.InRange(starts, 1, 3);
    }

    [Fact]
    public async Task A_verdict_about_an_earlier_file_of_the_same_name_never_answers_for_the_file_there_now()
    {
        var spool = new WalSpool(Path.Combine(_dir, "spool"));
        spool.Create();
        var earlier = WriteSegment("earlier bytes");
        spool.MarkStored(Segment, earlier);
        var now = WriteSegment("the bytes there now");
        var starts = 0;

        var error = await Assert.ThrowsAnyAsync<LifeboatException>(() => new WalAsyncPush(spool, () => starts++, TimeSpan.FromSeconds(1)).WaitAsync(SegmentPath, Ct));

        Assert.NotEqual(earlier, now);
        Assert.Equal($"the background pusher did not archive {Segment} within 1 s", error.Message);
        Assert.False(spool.IsStored(Segment, earlier));
        Assert.InRange(starts, 1, 3);
    }

    [Fact]
    public void A_spool_directory_other_users_may_write_is_refused_so_that_no_one_can_plant_a_verdict()
    {
        var root = Path.Combine(_dir, "shared");
        Directory.CreateDirectory(root);
        File.SetUnixFileMode(root, (UnixFileMode)0b111_111_111);
        var spool = new WalSpool(Path.Combine(root, "spool"));

        var error = Assert.Throws<LifeboatException>(spool.Create);

        Assert.Equal($"the WAL spool directory '{root}' may be read or written by other users", error.Message);
    }

    [Fact]
    public void A_spool_root_it_creates_is_private_even_under_a_permissive_umask()
    {
        var spool = WalSpool.For(Path.Combine(_dir, "new-root"), "repo", "app", "/srv/a/pg_wal");

        spool.Create();

        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute, File.GetUnixFileMode(Path.Combine(_dir, "new-root")));
    }

    [Fact]
    public void Two_servers_archiving_under_one_source_get_two_spools()
    {
        var first = WalSpool.For(_dir, "repo", "app", "/srv/a/pg_wal");
        var second = WalSpool.For(_dir, "repo", "app", "/srv/b/pg_wal");

        Assert.NotEqual(first.Directory, second.Directory);
        Assert.Equal(first, WalSpool.For(_dir, "repo", "app", "/srv/a/pg_wal/"[..^1]));
    }
}
