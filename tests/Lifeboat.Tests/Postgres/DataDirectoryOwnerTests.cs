using Lifeboat.IO;
using Lifeboat.Postgres;
using Lifeboat.Tests.IO;

namespace Lifeboat.Tests.Postgres;

/// <summary>
/// Who a restored data directory belongs to. Run as root (as in CI) the choice is made; run as another user the files
/// can only be that user's, which each test checks instead.
/// </summary>
public sealed class DataDirectoryOwnerTests : IDisposable
{
    private static readonly DataDirectoryOwner Caller = new(OsUser.Current, false, "not running as root, the files are this user's");
    private readonly string _work = Directory.CreateTempSubdirectory("lifeboat-owner-").FullName;

    private static OsUser Postgres => OsUser.Find(DataDirectoryOwner.PackagedServerUser)!;

    public void Dispose() => Directory.Delete(_work, recursive: true);

    [Fact]
    public void By_default_the_files_go_to_the_owner_of_the_nearest_existing_parent_when_that_is_not_root()
    {
        var parent = Path.Combine(_work, "postgresql");
        Directory.CreateDirectory(parent);
        if (OsUser.CanGiveFilesAway)
            TestOwnership.GiveTo(parent, Postgres);

        var owner = DataDirectoryOwner.Choose(null, Path.Combine(parent, "15", "restored"));

        Assert.Equal(OsUser.CanGiveFilesAway ? new DataDirectoryOwner(Postgres, true, $"the owner of {parent}") : Caller, owner);
    }

    [Fact]
    public void Under_a_parent_of_root_the_files_go_to_the_packaged_server_user()
    {
        var owner = DataDirectoryOwner.Choose(null, Path.Combine(_work, "restored"));

        Assert.Equal(OsUser.CanGiveFilesAway ? new DataDirectoryOwner(Postgres, true, $"{_work} is root's, and this host has a 'postgres' user") : Caller, owner);
    }

    [Fact]
    public void A_named_user_is_taken_as_asked()
    {
        var owner = DataDirectoryOwner.Choose(OsUser.Current.IsRoot ? "postgres" : OsUser.Current.Name, Path.Combine(_work, "restored"));

        Assert.Equal(OsUser.CanGiveFilesAway ? new DataDirectoryOwner(Postgres, true, "as asked") : Caller, owner);
    }

    [Fact]
    public void A_user_the_host_does_not_have_is_a_usage_error()
    {
        var error = Assert.Throws<LifeboatException>(() => DataDirectoryOwner.Choose("no-such-user-lifeboat", Path.Combine(_work, "restored")));

        Assert.Equal(FailureKind.Usage, error.Kind);
        Assert.Equal(
            OsUser.CanGiveFilesAway
                ? "there is no OS user 'no-such-user-lifeboat' on this host; nothing was written"
                : $"only root may give the restored files to another user ('no-such-user-lifeboat'); they would be this user's ('{OsUser.Current.Name}'); nothing was written",
            error.Message);
    }

    [Fact]
    public void Root_is_refused_as_the_owner_since_postgres_will_not_run_as_root()
    {
        var error = Assert.Throws<LifeboatException>(() => DataDirectoryOwner.Choose("root", Path.Combine(_work, "restored")));

        Assert.Equal(FailureKind.Usage, error.Kind);
        Assert.StartsWith(OsUser.CanGiveFilesAway ? "PostgreSQL refuses to run as root" : "only root may give the restored files to another user ('root')", error.Message, StringComparison.Ordinal);
    }
}
