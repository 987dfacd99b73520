using Lifeboat.Cli.Commands;
using Lifeboat.Format;

namespace Lifeboat.Tests.Commands;

/// <summary>The one line an error becomes: the core's message and plain hint, then its remedy in the command line's words.</summary>
public sealed class ErrorLineTests
{
    [Fact]
    public void A_remedy_is_worded_after_the_core_hint()
    {
        var error = new EnvelopeCorruptException("postgres/app/dumps/20260101T000000Z-1a2b3c4d/dump", "chunk 3 failed authentication");

        Assert.Equal(
            "lifeboat: error: object 'postgres/app/dumps/20260101T000000Z-1a2b3c4d/dump' is corrupt: chunk 3 failed authentication. " +
            "hint: restore from another backup; 'lifeboat check --read-data' lists every damaged object",
            CommandRunner.ErrorLine(error));
    }

    [Fact]
    public void A_remedy_without_a_core_hint_is_the_whole_hint()
    {
        var path = Path.Combine(Path.GetTempPath(), $"lifeboat-missing-{Guid.NewGuid():N}.key");

        var error = Assert.Throws<LifeboatException>(() => KeySecret.FromKeyFile(path));

        Assert.Equal(
            $"lifeboat: error: key file '{path}' does not exist. " +
            "hint: point repository.encryption.keyFile at the repository's key file; 'lifeboat init' creates one for a new repository",
            CommandRunner.ErrorLine(error));
    }

    [Fact]
    public void A_refused_latest_names_the_older_backup_as_the_flag_to_pass()
    {
        var error = new LifeboatException("the newest backup 20260102T000000Z-2b3c4d5e is damaged; refusing to take the older 20260101T000000Z-1a2b3c4d as 'latest'")
        {
            Remedy = new(RemedyAction.ChooseBackup, "20260101T000000Z-1a2b3c4d"),
        };

        Assert.EndsWith(
            ". hint: name a backup explicitly with --backup 20260101T000000Z-1a2b3c4d if that is what you want, and run 'lifeboat check'",
            CommandRunner.ErrorLine(error),
            StringComparison.Ordinal);
    }

    [Fact]
    public void A_core_hint_without_a_remedy_stands_alone()
    {
        var error = new LifeboatException("the repository at file:///backups is locked: backup on host a", "wait for that command to finish, then try again");

        Assert.Equal(
            "lifeboat: error: the repository at file:///backups is locked: backup on host a. hint: wait for that command to finish, then try again",
            CommandRunner.ErrorLine(error));
    }

    [Fact]
    public void An_error_with_neither_is_its_message_alone()
    {
        Assert.Equal("lifeboat: error: pg_restore failed (exit code 1)", CommandRunner.ErrorLine(new LifeboatException("pg_restore failed (exit code 1).")));
    }
}
