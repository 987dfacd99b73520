using System.CommandLine;
using System.Globalization;
using Lifeboat.Cli.Output;
using Lifeboat.Cli.Sources;
using Lifeboat.Repository;

namespace Lifeboat.Cli.Commands;

/// <summary>lifeboat check: verifies manifests and objects, optionally decrypting and re-hashing them.</summary>
internal static class CheckCommand
{
    public static Command Create()
    {
        var readData = new Option<string?>("--read-data")
        {
            Description = "Also decrypt and re-hash the data: all of it, or PERCENT of the objects (--read-data=10)",
            Arity = ArgumentArity.ZeroOrOne,
        };
        var command = new Command("check", "Verify the repository: manifests decrypt, objects exist with the recorded sizes, and with --read-data their contents hash right");
        command.Options.Add(readData);
        command.SetBody(async (parse, options, cancellationToken) =>
        {
            var percent = ReadPercent(parse, readData);
            await using var session = await RepositorySession.OpenAsync(options.ConfigPath, cancellationToken);
            await session.LockAsync(LockScope.Repository, "check");
            var report = await session.RunAsync(work => Reporting.RunAsync(options, reporter => new RepositoryCheck(session.Repository, reporter, SourceKinds.DetailsProblem).RunAsync(percent, work)));
            if (options.Json)
                CliJson.Print(new CheckSummary(report.Backups, report.ObjectsChecked, report.ObjectsPresent, report.ObjectsRead, report.Problems), CliJson.Default.CheckSummary);
            else
                Print(report, options.Quiet);
            // The check itself worked; what it found is an unhealthy repository, which monitoring tells apart from a failed run.
            return report.Problems.Count == 0 ? CommandRunner.Ok : (int)FailureKind.Unhealthy;
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

    private static void Print(CheckReport report, bool quiet)
    {
        foreach (var problem in report.Problems)
            Console.Error.WriteLine($"lifeboat: problem: {problem}");
        if (quiet)
            return;
        var verdict = report.Problems.Count == 0 ? "no problems found" : $"{report.Problems.Count} problem(s) found";
        Console.WriteLine($"checked {report.Backups} backups, {report.ObjectsPresent} of {report.ObjectsChecked} objects present, {report.ObjectsRead} read and re-hashed: {verdict}");
    }
}
