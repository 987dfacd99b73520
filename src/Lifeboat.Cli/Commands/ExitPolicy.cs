namespace Lifeboat.Cli.Commands;

/// <summary>
/// How a command's failures become exit codes. Most commands exit with the failure's kind (1, 2, 3); a command whose
/// exit code another program acts on (restore_command: PostgreSQL ends recovery at 1 and stops it above 125) declares
/// its own, for a command line that does not parse as much as for a failure while it runs.
/// </summary>
internal sealed record ExitPolicy
{
    /// <summary>Every command's policy unless it declares one: the failure's kind is the exit code.</summary>
    public static ExitPolicy Standard { get; } = new();

    /// <summary>The exit code of every failure no rule names, a usage error included; null for the failure's kind.</summary>
    public int? Otherwise { get; init; }

    /// <summary>Failures with an exit code of their own; the first that matches decides.</summary>
    public IReadOnlyList<ExitRule> Rules { get; init; } = [];

    /// <summary>The exit code of a command line that does not parse.</summary>
    public int ForUsageError => Otherwise ?? (int)FailureKind.Usage;

    /// <summary>The exit code of <paramref name="failure"/> when no rule names it.</summary>
    public int ForUnnamed(Exception failure) => Otherwise ?? (int)(failure is LifeboatException known ? known.Kind : FailureKind.Failed);

    /// <summary>The rule that names <paramref name="failure"/>, or null.</summary>
    public ExitRule? RuleFor(Exception failure) => Rules.FirstOrDefault(rule => rule.Matches(failure));
}
