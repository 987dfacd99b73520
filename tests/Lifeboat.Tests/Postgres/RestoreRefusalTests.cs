using Lifeboat.Postgres;

namespace Lifeboat.Tests.Postgres;

/// <summary>What a restore refuses before it creates anything: rights it lacks, a spool directory it cannot use.</summary>
public sealed class RestoreRefusalTests
{
    [Fact]
    public void A_user_that_may_not_create_databases_is_refused_whatever_the_target()
    {
        var refusal = new RestoreRights(MayCreateDatabases: false, Owner: null, OwnsTarget: true).Refusal("ops", "app", "db:5432", replaces: false);

        Assert.NotNull(refusal);
        Assert.Equal("user 'ops' may not create databases on db:5432, and a restore builds a staging database there before it takes the name 'app'; nothing was changed", refusal.Message);
        Assert.Equal("ALTER ROLE \"ops\" CREATEDB, or restore as a user that may", refusal.Hint);
    }

    [Fact]
    public void A_user_that_does_not_own_the_database_it_would_replace_is_refused_naming_the_owner()
    {
        var refusal = new RestoreRights(MayCreateDatabases: true, Owner: "app_owner", OwnsTarget: false).Refusal("ops", "app", "db:5432", replaces: true);

        Assert.NotNull(refusal);
        Assert.Equal("user 'ops' does not own database 'app' on db:5432 (its owner is 'app_owner'), and replacing it renames it aside and drops it, which only its owner may; nothing was changed", refusal.Message);
        Assert.Equal("ALTER DATABASE \"app\" OWNER TO \"ops\", or GRANT \"app_owner\" TO \"ops\", or restore as a user that may", refusal.Hint);
    }

    [Fact]
    public void A_user_that_may_create_databases_may_restore_into_one_it_does_not_own_when_nothing_is_replaced() =>
        Assert.Null(new RestoreRights(MayCreateDatabases: true, Owner: "app_owner", OwnsTarget: false).Refusal("ops", "app", "db:5432", replaces: false));

    [Fact]
    public void A_spool_directory_that_does_not_exist_yet_is_used_when_its_nearest_parent_is_writable()
    {
        Assert.Null(SpoolDirectoryCheck.Refusal("/mnt/scratch/lb", nearestExisting: "/mnt/scratch", writable: true));
    }

    [Fact]
    public void A_spool_directory_that_cannot_be_created_is_refused_naming_the_parent()
    {
        var refusal = SpoolDirectoryCheck.Refusal("/srv/spool", nearestExisting: "/srv", writable: false);

        Assert.Equal("the spool directory /srv/spool of a parallel restore cannot be created: /srv is not writable by this user; nothing was changed", refusal?.Message);
        Assert.Equal(RemedyAction.ChooseSpoolDirectory, refusal?.Remedy?.Action);
    }

    [Fact]
    public void A_spool_directory_this_user_may_not_write_is_refused()
    {
        var refusal = SpoolDirectoryCheck.Refusal("/srv/spool", nearestExisting: "/srv/spool", writable: false);

        Assert.Equal("the spool directory /srv/spool of a parallel restore is not writable by this user; nothing was changed", refusal?.Message);
    }

    [Fact]
    public void An_existing_writable_directory_passes_the_check_on_the_real_file_system()
    {
        var directory = Directory.CreateTempSubdirectory("lifeboat-spool-").FullName;
        try
        {
            Assert.Null(SpoolDirectoryCheck.Refusal(directory));
            Assert.Null(SpoolDirectoryCheck.Refusal(Path.Combine(directory, "missing", "deeper")));
        }
        finally
        {
            Directory.Delete(directory);
        }
    }
}
