using Lifeboat.Cli;
using Lifeboat.Cli.Commands;
using Lifeboat.Cli.Sources.Postgres;
using Lifeboat.Format;
using Lifeboat.Postgres.Wal;
using Lifeboat.Repository;

namespace Lifeboat.Tests.Commands;

/// <summary>How failures become exit codes: by their kind for most commands, by its own policy for restore_command's.</summary>
public sealed class ExitPolicyTests
{
    [Fact]
    public void By_default_a_failure_exits_with_its_kind_and_a_usage_error_with_2()
    {
        var standard = ExitPolicy.Standard;

        Assert.Equal(2, standard.ForUsageError);
        Assert.Equal(3, standard.ForUnnamed(new LifeboatException("stale", kind: FailureKind.Unhealthy)));
        Assert.Equal(1, standard.ForUnnamed(new IOException("disk gone")));
        Assert.Null(standard.RuleFor(new WalFileMissingException("000000010000000000000007", "/repo")));
    }

    [Fact]
    public void Wal_fetch_exits_1_only_for_a_missing_file_126_for_a_damaged_one_and_127_for_anything_else_a_usage_error_included()
    {
        var exits = WalFetchCommand.Exits;

        Assert.Equal((1, true), Rule(exits, new WalFileMissingException("000000010000000000000007", "/repo")));
        Assert.Equal((126, false), Rule(exits, new EnvelopeCorruptException("postgres/app/wal/00000001/000000010000000000000007", "chunk 0 failed authentication")));
        Assert.Equal((126, false), Rule(exits, new DamagedRecordException("the record is damaged")));
        Assert.Null(exits.RuleFor(new LifeboatException("the key does not open the repository")));
        Assert.Equal(127, exits.ForUnnamed(new LifeboatException("no such source", kind: FailureKind.Usage)));
        Assert.Equal(127, exits.ForUnnamed(new UnauthorizedAccessException("pg_wal")));
        Assert.Equal(127, exits.ForUsageError);
    }

    [Fact]
    public void A_command_line_that_does_not_parse_exits_as_its_command_declares()
    {
        var root = Program.BuildRoot();

        Assert.Same(WalFetchCommand.Exits, CommandRunner.ExitPolicyOf(root.Subcommands.Single(command => command.Name == "wal-fetch")));
        Assert.Same(ExitPolicy.Standard, CommandRunner.ExitPolicyOf(root.Subcommands.Single(command => command.Name == "wal-push")));
        Assert.Same(ExitPolicy.Standard, CommandRunner.ExitPolicyOf(root));
    }

    private static (int, bool)? Rule(ExitPolicy policy, Exception failure) => policy.RuleFor(failure) is { } rule ? (rule.ExitCode, rule.IsNotice) : null;
}
