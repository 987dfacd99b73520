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
    public void A_spool_directory_that_does_not_exist_is_refused_rather_than_created()
    {
        var refusal = SpoolDirectoryCheck.Refusal("/srv/spool", exists: false, writable: false, freeBytes: null, archiveBytes: 100);

        Assert.NotNull(refusal);
        Assert.Equal("the spool directory /srv/spool of a parallel restore does not exist; nothing was changed", refusal.Message);
        Assert.Equal(RemedyAction.ChooseSpoolDirectory, refusal.Remedy?.Action);
    }

    [Fact]
    public void A_spool_directory_this_user_may_not_write_is_refused()
    {
        var refusal = SpoolDirectoryCheck.Refusal("/srv/spool", exists: true, writable: false, freeBytes: 1L << 40, archiveBytes: 100);

        Assert.Equal("the spool directory /srv/spool of a parallel restore is not writable by this user; nothing was changed", refusal?.Message);
    }

    [Fact]
    public void A_spool_directory_with_less_room_than_the_archive_is_refused_naming_both_sizes()
    {
        var refusal = SpoolDirectoryCheck.Refusal("/srv/spool", exists: true, writable: true, freeBytes: 500L << 20, archiveBytes: 2L << 30);

        Assert.NotNull(refusal);
        Assert.Equal("only 500.0 MiB free in the spool directory /srv/spool, less than the 2.0 GiB archive a parallel restore may spool there; nothing was changed", refusal.Message);
        Assert.Equal(RemedyAction.SpoolElsewhere, refusal.Remedy?.Action);
    }

    [Fact]
    public void A_spool_directory_with_room_for_the_archive_or_whose_free_space_cannot_be_told_is_used()
    {
        Assert.Null(SpoolDirectoryCheck.Refusal("/srv/spool", exists: true, writable: true, freeBytes: 2L << 30, archiveBytes: 2L << 30));
        Assert.Null(SpoolDirectoryCheck.Refusal("/srv/spool", exists: true, writable: true, freeBytes: null, archiveBytes: 2L << 30));
    }

    [Fact]
    public void An_existing_writable_directory_passes_the_check_on_the_real_file_system()
    {
        var directory = Directory.CreateTempSubdirectory("lifeboat-spool-").FullName;
        try
        {
            Assert.Null(SpoolDirectoryCheck.Refusal(directory, archiveBytes: 1));
            Assert.Contains("does not exist", SpoolDirectoryCheck.Refusal(Path.Combine(directory, "missing"), archiveBytes: 1)?.Message, StringComparison.Ordinal);
        }
        finally
        {
            Directory.Delete(directory);
        }
    }
}
