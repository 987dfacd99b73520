using Lifeboat.Cli.Output;

namespace Lifeboat.Cli.Doctor;

/// <summary>One check as 'lifeboat doctor' reports it, in the command line's words: its status, and its hint with the remedy worded.</summary>
/// <param name="Name">What was checked.</param>
/// <param name="Status">ok, warn, fail or skip.</param>
/// <param name="Detail">What was found.</param>
/// <param name="Hint">What to do, or null when nothing is to be done.</param>
internal sealed record DoctorLine(string Name, string Status, string Detail, string? Hint)
{
    /// <summary>The line of <paramref name="check"/>.</summary>
    public static DoctorLine Of(HealthCheck check) => new(check.Name, StatusWord(check.Status), check.Detail, HintOf(check));

    /// <summary>The word a status is printed as.</summary>
    public static string StatusWord(HealthStatus status) => status switch
    {
        HealthStatus.Ok => "ok",
        HealthStatus.Warn => "warn",
        HealthStatus.Fail => "fail",
        _ => "skip",
    };

    /// <summary>"status  name: detail. hint: hint", as a terminal or a log shows it.</summary>
    public override string ToString()
    {
        var line = $"{Status,-4}  {Name}: {Detail.TrimEnd('.', ' ')}";
        return (Hint is null ? line : $"{line}. hint: {Hint}").Replace('\n', ' ');
    }

    // As an error line words it: the core's own advice first, then what it leaves to Lifeboat's commands, flags and keys.
    private static string? HintOf(HealthCheck check)
    {
        var remedy = check.Remedy is null ? null : RemedyText.For(check.Remedy);
        if (remedy is null)
            return check.Hint;
        return check.Hint is null ? remedy : $"{check.Hint}; {remedy}";
    }
}
