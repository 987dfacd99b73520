using Lifeboat.Cli;
using Lifeboat.Cli.Commands;

namespace Lifeboat.Tests.Commands;

/// <summary>A command line that does not parse becomes one line in Lifeboat's words, with "did you mean" when something is close.</summary>
public sealed class UsageErrorTests
{
    private static (string Message, string Hint) Describe(params string[] args)
    {
        var parse = Program.BuildRoot().Parse(args);
        Assert.NotEmpty(parse.Errors);
        return UsageError.Describe(parse);
    }

    [Fact]
    public void A_mistyped_command_suggests_the_nearest_command()
    {
        Assert.Equal(("unknown command 'restor'", "did you mean 'restore'?"), Describe("restor"));
    }

    [Fact]
    public void A_mistyped_subcommand_names_the_command_it_belongs_to()
    {
        Assert.Equal(("unknown command 'postgress' for 'lifeboat restore'", "did you mean 'postgres'?"), Describe("restore", "postgress"));
    }

    [Fact]
    public void A_word_far_from_every_command_points_at_the_help()
    {
        Assert.Equal(("unknown command 'frobnicate'", "see 'lifeboat --help'"), Describe("frobnicate"));
    }

    [Fact]
    public void A_value_that_is_not_a_number_says_the_option_takes_a_whole_number()
    {
        Assert.Equal(("--jobs takes a whole number, not 'abc'", "see 'lifeboat restore postgres --help'"), Describe("restore", "postgres", "-j", "abc"));
    }

    [Fact]
    public void An_option_given_no_value_says_what_value_it_needs()
    {
        Assert.Equal("--jobs needs a value: a whole number", Describe("restore", "postgres", "--jobs").Message);
        Assert.Equal("--config needs a value", Describe("list", "--config").Message);
    }

    [Fact]
    public void A_mistyped_option_suggests_the_nearest_option_of_that_command()
    {
        Assert.Equal(("unknown option '--jbos' for 'lifeboat restore postgres'", "did you mean '--jobs'?"), Describe("restore", "postgres", "--jbos", "3"));
    }

    [Fact]
    public void A_mistyped_common_option_is_matched_against_the_options_every_command_inherits()
    {
        Assert.Equal("did you mean '--json'?", Describe("list", "--jsno").Hint);
    }

    [Fact]
    public void Several_errors_give_the_first_one_only()
    {
        Assert.Equal("unknown option '--foo' for 'lifeboat restore postgres'", Describe("restore", "postgres", "-j", "abc", "--foo", "bar").Message);
    }

    [Fact]
    public void A_command_that_needs_a_subcommand_lists_them()
    {
        Assert.Equal(("'lifeboat key' needs a command: list, add, remove", "see 'lifeboat key --help'"), Describe("key"));
    }

    [Fact]
    public void A_missing_argument_is_named()
    {
        Assert.Equal(("'lifeboat key remove' needs SLOT", "see 'lifeboat key remove --help'"), Describe("key", "remove"));
    }

    [Fact]
    public void An_extra_argument_is_called_unexpected()
    {
        Assert.Equal("unexpected argument 'extra' for 'lifeboat list'", Describe("list", "extra").Message);
    }

    [Fact]
    public void A_swapped_pair_of_letters_is_still_close_enough_to_suggest()
    {
        Assert.Equal("did you mean 'list'?", Describe("lsit").Hint);
    }

    [Fact]
    public void A_value_outside_the_accepted_ones_lists_them_and_suggests_only_a_near_one()
    {
        Assert.Equal(("'lifeboat completion' takes SHELL bash or zsh, not 'bsah'", "did you mean 'bash'?"), Describe("completion", "bsah"));
        Assert.Equal(("'lifeboat completion' takes SHELL bash or zsh, not 'fish'", "see 'lifeboat completion --help'"), Describe("completion", "fish"));
    }

    [Theory]
    [InlineData("backup", "--dry-run", "postgres")]
    [InlineData("--dry-run", "backup", "postgres")]
    public void A_subcommand_s_option_typed_before_it_says_where_it_belongs(params string[] args)
    {
        Assert.Equal(("'--dry-run' belongs after 'postgres': lifeboat backup postgres --dry-run", "see 'lifeboat backup postgres --help'"), Describe(args));
    }

    [Fact]
    public void A_subcommand_s_option_given_to_its_parent_names_the_subcommand_it_belongs_to()
    {
        Assert.Equal("'--target-db' belongs after 'postgres': lifeboat restore postgres --target-db=…", Describe("restore", "--target-db=x", "postgres").Message);
    }

    [Fact]
    public void The_word_as_typed_is_never_suggested_for_itself()
    {
        var (_, hint) = Describe("list", "--dry-run");

        Assert.DoesNotContain("did you mean '--dry-run'", hint, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("-v", "--version")]
    [InlineData("--version", "--json")]
    public void Version_beside_other_arguments_says_it_cannot_be_combined_with_them(params string[] args)
    {
        Assert.Equal("--version cannot be combined with other arguments", Describe(args).Message);
    }

    [Fact]
    public void A_whole_number_too_large_for_the_option_names_the_largest_it_takes()
    {
        Assert.Equal("--jobs 99999999999 is too large: the most it takes is 2147483647", Describe("restore", "postgres", "--jobs", "99999999999").Message);
        Assert.Equal("--jobs -99999999999 is too small: the least it takes is -2147483648", Describe("restore", "postgres", "--jobs=-99999999999").Message);
    }

    [Theory]
    [InlineData(typeof(int), "a whole number")]
    [InlineData(typeof(long?), "a whole number")]
    [InlineData(typeof(double), "a number")]
    [InlineData(typeof(bool), "true or false")]
    [InlineData(typeof(string), null)]
    public void Each_value_type_is_said_in_words(Type type, string? words)
    {
        Assert.Equal(words, UsageError.Expectation(type));
    }

    [Fact]
    public void A_value_typed_with_an_option_is_never_repeated_in_a_usage_error()
    {
        var misplaced = Describe("key", "--passphrase-env=Tr0ub4dor-2026", "add");
        var unknown = Describe("list", "--secret-thing=Tr0ub4dor-2026");

        Assert.DoesNotContain("Tr0ub4dor", misplaced.Message + misplaced.Hint, StringComparison.Ordinal);
        Assert.DoesNotContain("Tr0ub4dor", unknown.Message + unknown.Hint, StringComparison.Ordinal);
        Assert.Contains("--passphrase-env=…", misplaced.Message, StringComparison.Ordinal);
    }
}
