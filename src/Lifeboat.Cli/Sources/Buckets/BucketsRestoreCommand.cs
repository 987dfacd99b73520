using System.CommandLine;
using System.Globalization;
using System.Text.RegularExpressions;
using Lifeboat.Buckets;
using Lifeboat.Buckets.Restore;
using Lifeboat.Cli.Commands;
using Lifeboat.Cli.Configuration;
using Lifeboat.Cli.Output;
using Lifeboat.Repository;

namespace Lifeboat.Cli.Sources.Buckets;

/// <summary>
/// lifeboat restore buckets (also 'restore bucket'): a bucket as a snapshot recorded it, as it was at a moment, or one
/// version of one key as the current object, written into the source bucket or another.
/// </summary>
internal static partial class BucketsRestoreCommand
{
    /// <summary>The command that names the work in locks.</summary>
    public const string LockCommand = "restore buckets";

    public static Command Create()
    {
        var name = CommonOptions.SourceName(BucketSnapshotInfo.SourceType);
        var snapshot = new Option<string?>("--snapshot") { Description = "Restore the state this snapshot listed: its id (whole, a unique prefix, or a unique prefix of its last 8 characters), or 'latest'" };
        var asOf = new Option<string?>("--as-of") { Description = "Restore the state at this moment (ISO 8601 with its zone, e.g. 2026-12-03T10:42:35Z), exact to the version as far back as the snapshots' history reaches" };
        var prefix = new Option<string?>("--prefix") { Description = "Restore only keys starting with this; the target is checked, and extras removed, only under it" };
        var key = new Option<string?>("--key") { Description = "Restore only this key" };
        var version = new Option<string?>("--version") { Description = "With --key: bring this version back as the current object (a source version id, or at least 8 hex digits of its SHA-256); read from the latest snapshot unless --snapshot" };
        var deleteExtra = CommonOptions.Flag("--delete-extra", "Remove objects under the prefix that the snapshot did not have at that moment (with versioning enabled on the target they stay as non-current versions; suspended or off, they are gone)");
        var force = CommonOptions.Flag("--force", "Write into a target that already holds objects under the prefix (with --key: overwrite the key in a target whose versioning is not enabled; suspended keeps nothing it replaces)");
        var dryRun = CommonOptions.Flag("--dry-run", "Say what would be restored, skipped, fixed and removed, and write nothing; exits 2 when the restore itself would be refused (a non-empty target without --force)");
        var target = new TargetEndpointOptions();
        var command = new Command(
            BucketSnapshotInfo.SourceType,
            "Restore a bucket as a snapshot recorded it or as it was at a moment (content, headers, metadata, tags), or one version of one key; every object verified before it is written");
        command.Aliases.Add("bucket");
        foreach (var option in new Option[] { name, snapshot, asOf, prefix, key, version, deleteExtra, force, dryRun }.Concat(target.All))
            command.Options.Add(option);
        command.SetBody(async (parse, options, cancellationToken) =>
        {
            var moment = parse.GetValue(asOf) is { } text ? Moment(text) : (DateTimeOffset?)null;
            CheckChoice(parse.GetValue(snapshot), moment, parse.GetValue(key), parse.GetValue(version), parse.GetValue(prefix), parse.GetValue(deleteExtra));
            await using var session = await RepositorySession.OpenAsync(options.ConfigPath, cancellationToken);
            var source = SourcePicker.Pick<BucketSettings>(session.Settings, BucketsSection.Declaration, parse.GetValue(name));
            var request = new BucketRestoreRequest
            {
                SnapshotId = parse.GetValue(snapshot),
                AsOf = moment,
                Target = target.Read(parse, source),
                DefaultTarget = target.NamesBucket(parse) ? null : new ConfiguredSource(source.Bucket, source.Prefix),
                Prefix = parse.GetValue(prefix),
                Key = parse.GetValue(key),
                Version = parse.GetValue(version),
                DeleteExtra = parse.GetValue(deleteExtra),
                Force = parse.GetValue(force),
                DryRun = parse.GetValue(dryRun),
                Transfers = source.Transfers,
            };
            // Shared: a restore may run during a backup, and a prune of what it reads waits until it is done.
            await session.LockAsync(LockScope.Source(BucketSnapshotInfo.SourceType, source.Name), LockCommand);
            var report = await session.RunAsync(work => Reporting.RunAsync(options, reporter =>
                new BucketRestore(session.Repository, reporter).RunAsync(source.Name, request, work)));
            BucketRestoreOutput.Print(report, options);
            // A dry run that showed its plan still exits as the restore itself would start: refused without --force.
            if (report.Refusal is { } refusal)
                throw refusal;
            BucketRestoreOutput.ThrowIfFailed(report);
            return CommandRunner.Ok;
        }, afterInterruption: "objects already written stay; run the same restore again with --force: it skips them and writes the rest");
        return command;
    }

    private static void CheckChoice(string? snapshot, DateTimeOffset? asOf, string? key, string? version, string? prefix, bool deleteExtra)
    {
        if (version is not null)
        {
            if (key is null)
                throw new LifeboatException("--version needs --key: a version is one key's", kind: FailureKind.Usage);
            if (asOf is not null)
                throw new LifeboatException("--version names its own moment: give it without --as-of", kind: FailureKind.Usage);
        }
        else if ((snapshot is null) == (asOf is null))
        {
            throw new LifeboatException("give exactly one of --snapshot ID and --as-of TIME", kind: FailureKind.Usage);
        }

        if (key is { Length: 0 } || prefix is { Length: 0 })
            throw new LifeboatException("--key and --prefix need a value", kind: FailureKind.Usage);
        if (key is not null && (prefix is not null || deleteExtra))
            throw new LifeboatException("--key restores one object: --prefix and --delete-extra do not apply", kind: FailureKind.Usage);
    }

    // A moment without its zone would be read in some zone the operator did not think of, an hour or more off.
    private static DateTimeOffset Moment(string text)
    {
        if (WithZone().IsMatch(text.Trim())
            && DateTimeOffset.TryParse(text.Trim(), CultureInfo.InvariantCulture, DateTimeStyles.None, out var moment))
        {
            return moment;
        }

        throw new LifeboatException(
            $"--as-of takes a moment with its time zone, such as 2026-12-03T10:42:35Z (UTC) or 2026-12-03T11:42:35+01:00, not '{text}'",
            kind: FailureKind.Usage);
    }

    [GeneratedRegex(@"^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d{1,7})?)?\s*(Z|[+-]\d{2}(:?\d{2})?)$", RegexOptions.IgnoreCase)]
    private static partial Regex WithZone();
}
