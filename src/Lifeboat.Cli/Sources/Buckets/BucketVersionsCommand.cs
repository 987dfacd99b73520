using System.CommandLine;
using Lifeboat.Buckets;
using Lifeboat.Buckets.History;
using Lifeboat.Cli.Commands;
using Lifeboat.Cli.Output;
using Lifeboat.Repository;

namespace Lifeboat.Cli.Sources.Buckets;

/// <summary>lifeboat versions: one object's history, from the source bucket's own versioning and from Lifeboat's newest snapshot.</summary>
internal static class BucketVersionsCommand
{
    public static Command Create()
    {
        var name = CommonOptions.SourceName(BucketSnapshotInfo.SourceType);
        var key = new Option<string>("--key") { Description = "The object's key, exactly as the bucket spells it", Required = true };
        var command = new Command(
            "versions",
            "List one object's versions and delete markers: those the source bucket keeps and those Lifeboat's newest snapshot holds, side by side");
        command.Options.Add(name);
        command.Options.Add(key);
        command.SetBody(async (parse, options, cancellationToken) =>
        {
            await using var session = await RepositorySession.OpenAsync(options.ConfigPath, cancellationToken);
            var source = BucketsSourceKind.Pick(session.Settings, parse.GetValue(name));
            // Shared: a lookup may run beside a backup or a restore of the same bucket, never beside a prune of it.
            await session.LockAsync(LockScope.Source(BucketSnapshotInfo.SourceType, source.Name), "versions");
            var history = await session.RunAsync(work => new KeyVersionsLookup(session.Repository).RunAsync(source, parse.GetValue(key)!, work));
            if (history.SourceFailure is { } failure)
                Console.Error.WriteLine(SourceWarning(failure));
            if (options.Json)
            {
                CliJson.Print(BucketVersionsOutput.Summary(history), BucketVersionsJson.Default.BucketVersionsSummary);
                return CommandRunner.Ok;
            }

            if (!options.Quiet)
                Print(history);
            return CommandRunner.Ok;
        });
        return command;
    }

    /// <summary>The one line that says the source was not listed, and why.</summary>
    internal static string SourceWarning(LifeboatException failure)
    {
        var hint = CommandRunner.HintOf(failure);
        var line = $"lifeboat: warning: the source was not listed, so only Lifeboat's history is shown: {failure.Message.TrimEnd('.', ' ')}";
        return (hint is null ? line : $"{line}. hint: {hint}").Replace('\n', ' ');
    }

    private static void Print(KeyVersions history)
    {
        foreach (var note in history.Notes)
            Console.WriteLine($"note: {note}");
        if (history.Rows.Count == 0)
        {
            Console.WriteLine($"no version of '{history.Key}' {(history.SourceListed ? "at the source or " : "")}in Lifeboat");
            return;
        }

        TableOutput.Write(BucketVersionsOutput.Table(history));
        if (history.Snapshot is { } snapshot && history.Rows.Any(r => r.InLifeboat && !r.DeleteMarker))
            Console.WriteLine($"Lifeboat's versions are from snapshot {snapshot}; 'lifeboat cat {snapshot} KEY --version VERSION' writes one out (VERSION: the version id, or the SHA256 shown)");
    }
}
