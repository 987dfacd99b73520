using System.CommandLine;
using System.Globalization;
using Lifeboat.Cli.Output;
using Lifeboat.Cli.Sources;
using Lifeboat.Repository;

namespace Lifeboat.Cli.Commands;

/// <summary>lifeboat check: verifies manifests and objects, and what each source keeps beside them (WAL archives), optionally decrypting and re-hashing them.</summary>
internal static class CheckCommand
{
    public static Command Create()
    {
        var readData = new Option<string?>("--read-data")
        {
            Description = "Also decrypt and re-hash the data: all of it, or PERCENT of the objects (--read-data=10)",
            Arity = ArgumentArity.ZeroOrOne,
        };
        var command = new Command("check", "Verify the repository: manifests decrypt, objects exist with the recorded sizes, WAL archives have no gaps, and with --read-data their contents hash right");
        command.Options.Add(readData);
        command.SetBody(async (parse, options, cancellationToken) =>
        {
            var percent = ReadPercent(parse, readData);
            await using var session = await RepositorySession.OpenAsync(options.ConfigPath, cancellationToken);
            await session.LockAsync(LockScope.Repository, "check");
            var (report, sources) = await session.RunAsync(work => Reporting.RunAsync(options, async reporter =>
            {
                var objects = await new RepositoryCheck(session.Repository, reporter, SourceKinds.DetailsProblem).RunAsync(percent, work);
                return (objects, await VerifySourcesAsync(new SourceCheckRequest(session.Repository, session.Settings, percent, reporter), work));
            }));
            var problems = report.Problems.Concat(sources.SelectMany(s => s.Problems)).ToList();
            if (options.Json)
                CliJson.Print(new CheckSummary(report.Backups, report.ObjectsChecked, report.ObjectsPresent, report.ObjectsRead, problems, sources), CliJson.Default.CheckSummary);
            else
                Print(report, sources, problems, options.Quiet);
            // The check itself worked; what it found is an unhealthy repository, which monitoring tells apart from a failed run.
            return problems.Count == 0 ? CommandRunner.Ok : (int)FailureKind.Unhealthy;
        });
        return command;
    }

    private static int ReadPercent(ParseResult parse, Option<string?> readData)
    {
        if (parse.GetResult(readData) is null)
            return 0;
        var text = parse.GetValue(readData)?.TrimEnd('%');
        if (string.IsNullOrEmpty(text))
            return 100;
        if (int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var percent) && percent is >= 0 and <= 100)
            return percent;
        throw new LifeboatException($"--read-data takes a percentage from 0 to 100, not '{text}'", null, FailureKind.Usage);
    }

    // Beyond the backups' objects, what each kind keeps outside them (PostgreSQL: its WAL archives).
    private static async Task<IReadOnlyList<SourceCheckResult>> VerifySourcesAsync(SourceCheckRequest request, CancellationToken cancellationToken)
    {
        var results = new List<SourceCheckResult>();
        foreach (var kind in SourceKinds.All.Where(k => k.Verify is not null))
            results.AddRange(await kind.Verify!(request, cancellationToken));
        return results;
    }

    private static void Print(CheckReport report, IReadOnlyList<SourceCheckResult> sources, List<string> problems, bool quiet)
    {
        foreach (var problem in problems)
            Console.Error.WriteLine($"lifeboat: problem: {problem}");
        if (quiet)
            return;
        foreach (var line in sources.SelectMany(s => s.Passed))
            Console.WriteLine(line);
        var verdict = problems.Count == 0 ? "no problems found" : $"{problems.Count} problem(s) found";
        var archived = sources.Sum(s => s.FilesRead) is > 0 and var read ? $", {read} archived file(s) read" : "";
        Console.WriteLine($"checked {report.Backups} backups, {report.ObjectsPresent} of {report.ObjectsChecked} objects present, {report.ObjectsRead} read and re-hashed{archived}: {verdict}");
    }
}
