namespace Lifeboat.Cli.Doctor;

/// <summary>What the checks add up to: the worst status among them (skipped ones count for nothing) and how many came out each way.</summary>
internal sealed class DoctorVerdict
{
    private readonly Dictionary<HealthStatus, int> _counts = [];

    /// <summary>The worst status so far: <see cref="HealthStatus.Ok"/> until a check warns or fails.</summary>
    public HealthStatus Worst { get; private set; } = HealthStatus.Ok;

    /// <summary>The exit code: unhealthy when any check failed; warnings do not fail the run.</summary>
    public int ExitCode => Worst == HealthStatus.Fail ? (int)FailureKind.Unhealthy : 0;

    /// <summary>Counts one check in.</summary>
    public void Add(HealthStatus status)
    {
        _counts[status] = Count(status) + 1;
        if (status != HealthStatus.Skipped && status > Worst)
            Worst = status;
    }

    /// <summary>How many checks came out as <paramref name="status"/>.</summary>
    public int Count(HealthStatus status) => _counts.GetValueOrDefault(status);

    /// <summary>The closing line: "9 checks: 7 ok, 1 warning, 1 failed, 0 skipped".</summary>
    public string Summary() =>
        $"{_counts.Values.Sum()} checks: {Count(HealthStatus.Ok)} ok, {Count(HealthStatus.Warn)} warning(s), {Count(HealthStatus.Fail)} failed, {Count(HealthStatus.Skipped)} skipped";
}
