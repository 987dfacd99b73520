namespace Lifeboat.Cli.Commands;

/// <summary>A failure with an exit code of its own; a notice is an expected outcome, said in one plain line that --quiet silences.</summary>
/// <param name="Matches">Whether a failure is this one.</param>
/// <param name="ExitCode">Its exit code.</param>
/// <param name="IsNotice">True when its line is "lifeboat: message", not an error.</param>
internal sealed record ExitRule(Func<Exception, bool> Matches, int ExitCode, bool IsNotice = false);
