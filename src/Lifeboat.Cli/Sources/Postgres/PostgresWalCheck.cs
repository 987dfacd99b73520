using System.Text.Json;
using Lifeboat.Cli.Configuration;
using Lifeboat.Cli.Output;
using Lifeboat.Postgres;
using Lifeboat.Postgres.Wal;

namespace Lifeboat.Cli.Sources.Postgres;

/// <summary>
/// What 'check' verifies of each PostgreSQL source's WAL archive, as WAL-G's wal-verify does: the segment sequence per
/// timeline, the records and histories, the WAL each base backup needs; with --read-data, every archived file read back.
/// </summary>
internal static class PostgresWalCheck
{
    // Enough reads at once to hide a remote store's latency; each holds one buffer and one envelope chunk.
    private static readonly int Parallelism = Math.Clamp(Environment.ProcessorCount, 2, 4);

    /// <summary>One result per source with a WAL archive or a base backup, among the backups' sources and the configured ones.</summary>
    public static async Task<IReadOnlyList<SourceCheckResult>> RunAsync(SourceCheckRequest request, CancellationToken cancellationToken)
    {
        var manifests = await request.Repository.ListBackupsAsync(PostgresDumpBackup.SourceType, null, null, cancellationToken);
        var names = manifests.Select(m => m.Name)
            .Concat(request.Settings.SourcesOf<PostgresSettings>().Select(s => s.Name))
            .Distinct()
            .Order(StringComparer.Ordinal);
        var results = new List<SourceCheckResult>();
        foreach (var name in names)
        {
            var overview = await WalArchiveOverview.LoadAsync(request.Repository, name, manifests, cancellationToken);
            if (overview is not null)
                results.Add(await CheckAsync(request, name, overview, cancellationToken));
        }

        return results;
    }

    private static async Task<SourceCheckResult> CheckAsync(SourceCheckRequest request, string name, WalArchiveOverview overview, CancellationToken cancellationToken)
    {
        var prefix = $"postgres/{name} WAL";
        var findings = overview.Gaps();
        var passed = findings.Where(f => !f.IsProblem).Select(f => $"{prefix} {f.Text}").ToList();
        var problems = findings.Where(f => f.IsProblem).Select(f => $"{prefix} {f.Text}").ToList();
        // Two live branches are the operator's to judge, not damage: a warning, not an unhealthy repository.
        var fork = await overview.ForkAsync(cancellationToken);
        if (fork is not null)
            request.Reporter.Warning($"{prefix}: {fork.Text}", fork.Remedy);
        var read = 0;
        if (request.ReadDataPercent > 0)
        {
            request.Reporter.Event($"check: reading {request.ReadDataPercent} % of postgres/{name}'s WAL archive, {Parallelism} files at a time");
            var report = await new WalArchiveReadCheck(request.Repository, name).ReadAsync(overview.Contents, request.ReadDataPercent, Parallelism, cancellationToken);
            read = report.Read;
            problems.AddRange(report.Problems);
            if (report.Problems.Count == 0)
                passed.Add($"{prefix}: {report.Read} file(s) read back, decrypted and authenticated");
        }

        return new SourceCheckResult(PostgresDumpBackup.SourceType, name, passed, problems, read)
        {
            Warnings = fork is null ? [] : [$"{prefix}: {RemedyText.WithHint(fork.Text, fork.Remedy)}"],
            SourceFields = fork is null ? null : ForkField(fork),
        };
    }

    // As 'list --json' carries it in the window: the timelines, where they parted, how much the other one wrote.
    private static Dictionary<string, JsonElement> ForkField(TimelineFork fork) => new()
    {
        ["timelineFork"] = JsonSerializer.SerializeToElement(TimelineForkSummary.Of(fork), PostgresWindowJson.Default.TimelineForkSummary),
    };
}
