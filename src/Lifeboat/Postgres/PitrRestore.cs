using System.Globalization;
using System.Text;
using Lifeboat.Postgres.Wal;
using Lifeboat.Repository;

namespace Lifeboat.Postgres;

/// <summary>Where recovery should stop: one of a time, a WAL position, or the end of the archive.</summary>
/// <param name="Time">recovery_target_time, or null.</param>
/// <param name="Position">recovery_target_lsn, or null.</param>
public sealed record PitrTarget(DateTimeOffset? Time, WalPosition? Position)
{
    /// <summary>Recovery to the end of the archived WAL.</summary>
    public bool Latest => Time is null && Position is null;

    /// <inheritdoc />
    public override string ToString() =>
        Time is { } time ? $"time {time.UtcDateTime:yyyy-MM-dd HH:mm:ss.ffffff} UTC" : Position is { } position ? $"position {position}" : "the end of the archive";
}

/// <summary>What a point-in-time restore laid out, and how to start it.</summary>
/// <param name="Backup">The base backup it started from.</param>
/// <param name="LastSegment">The last archived segment recovery can reach without a gap.</param>
/// <param name="LastCommit">The last archived commit time recovery can reach, when the archive recorded one.</param>
public sealed record PitrResult(BackupManifest Backup, string LastSegment, DateTimeOffset? LastCommit);

/// <summary>
/// Lays out a data directory that recovers to a moment: the newest base backup that ended before it, and recovery
/// settings that fetch the archived WAL. Everything that can make recovery fail is checked before a byte is written:
/// a target outside the recoverable window, a gap in the WAL, a non-empty directory.
/// </summary>
public sealed class PitrRestore(BackupRepository repository, IActivityReporter reporter)
{
    /// <summary>Restores <paramref name="sourceName"/>'s cluster into <paramref name="destination"/>, recovering to <paramref name="target"/>.</summary>
    public async Task<PitrResult> RunAsync(
        string sourceName, PitrTarget target, RestoreDestination destination, string restoreCommand, bool archiveOff, CancellationToken cancellationToken)
    {
        var dataDirectory = destination.DataDirectory;
        var backup = await ChooseBackupAsync(sourceName, target, cancellationToken);
        var info = BaseBackupInfo.Of(backup);
        var (lastSegment, lastCommit) = await CheckArchiveAsync(sourceName, info, target, cancellationToken);
        var layout = BaseBackupLayout.Plan(info, destination);

        reporter.Event($"restore pitr: base backup {backup.Id} into {dataDirectory}, recovering to {target}");
        await layout.LayOutAsync(repository, backup, reporter, cancellationToken);
        await WriteRecoverySettingsAsync(dataDirectory, target, info.Timeline, restoreCommand, archiveOff, cancellationToken);
        await layout.FinishAsync(reporter, cancellationToken);
        return new PitrResult(backup, lastSegment, lastCommit);
    }

    /// <summary>The newest base backup that ended before the target (pgBackRest once chose one that ended after it).</summary>
    private async Task<BackupManifest> ChooseBackupAsync(string sourceName, PitrTarget target, CancellationToken cancellationToken)
    {
        var bases = (await repository.ListBackupsAsync(PostgresDumpBackup.SourceType, sourceName, null, cancellationToken))
            .Where(m => m.Kind == PostgresBaseBackup.Kind).ToList();
        if (bases.Count == 0)
        {
            throw new LifeboatException($"there is no base backup of '{sourceName}' in {repository.Store.Location}", "take one with a physical backup first")
            {
                Remedy = new(RemedyAction.TakeBackup, PostgresDumpBackup.SourceType),
            };
        }

        var before = bases.Where(m => EndsBefore(m, target)).ToList();
        if (before.Count > 0)
            return before[^1];
        var oldest = bases[0];
        throw new LifeboatException(
            $"the target {target} lies before the end of the oldest base backup ({oldest.Id}, consistent at {BaseBackupInfo.Of(oldest).StopPosition}, {oldest.FinishedAt.UtcDateTime:yyyy-MM-dd HH:mm:ss} UTC); the recoverable window starts there",
            "choose a later target",
            FailureKind.Usage);
    }

    private static bool EndsBefore(BackupManifest backup, PitrTarget target) => target switch
    {
        { Time: { } time } => backup.FinishedAt <= time,
        { Position: { } position } => WalPosition.TryParse(BaseBackupInfo.Of(backup).StopPosition) is { } stop && stop <= position,
        _ => true,
    };

    /// <summary>
    /// Every segment from the backup's first to the one the target needs must be archived, and the target must lie
    /// within the archived commits: a gap or a target past the archive is an error naming it, before anything is written.
    /// </summary>
    private async Task<(string LastSegment, DateTimeOffset? LastCommit)> CheckArchiveAsync(
        string sourceName, BaseBackupInfo info, PitrTarget target, CancellationToken cancellationToken)
    {
        var archived = new HashSet<string>(StringComparer.Ordinal);
        await foreach (var item in repository.Store.ListAsync(WalArchiveLayout.TimelinePrefix(sourceName, info.Timeline), cancellationToken))
        {
            var name = Path.GetFileName(item.Key);
            if (WalFileName.TryParse(name) is { Kind: WalFileKind.Segment })
                archived.Add(name);
        }

        var first = WalFileName.TryParse(info.FirstSegment)!;
        var number = first.Number(info.SegmentSize);
        while (archived.Contains(WalFileName.OfNumber(info.Timeline, number + 1, info.SegmentSize).Text))
            number++;
        var last = WalFileName.OfNumber(info.Timeline, number, info.SegmentSize);
        var needed = WalFileName.TryParse(info.LastSegment)!;
        if (!archived.Contains(first.Text) || last.Number(info.SegmentSize) < needed.Number(info.SegmentSize))
        {
            var missing = archived.Contains(first.Text) ? WalFileName.OfNumber(info.Timeline, number + 1, info.SegmentSize) : first;
            throw new LifeboatException($"WAL segment {missing.Text} is missing from the archive, and the base backup needs it to become consistent", "check the archive with 'check'; choose another base backup");
        }

        // Anything archived past a hole means WAL is missing: recovery would stop at the hole and promote without it.
        var highest = archived.Select(a => WalFileName.TryParse(a)!.Number(info.SegmentSize)).Max();
        if (highest > number)
        {
            var hole = WalFileName.OfNumber(info.Timeline, number + 1, info.SegmentSize);
            throw new LifeboatException(
                $"WAL segment {hole.Text} is missing from the archive, though later segments are archived; recovery would stop at {last.Text} and lose everything after it",
                "find the segment (the server's pg_wal, another copy of the archive) before recovering past it, or choose a target before it");
        }

        if (target.Position is { } lsn && lsn.Value >= (number + 1) * (ulong)info.SegmentSize)
        {
            throw new LifeboatException(
                $"the target {target} lies past the archived WAL, which ends with segment {last.Text}",
                "choose an earlier target, or wait until the WAL after it is archived",
                FailureKind.Usage);
        }

        var lastCommit = await LastCommitAsync(sourceName, info, first.Number(info.SegmentSize), number, cancellationToken);
        if (target.Time is { } time && (lastCommit is null || time > lastCommit))
        {
            var gap = WalFileName.OfNumber(info.Timeline, number + 1, info.SegmentSize);
            throw new LifeboatException(
                $"the target {target} lies after the last archived commit ({(lastCommit is { } c ? c.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss.ffffff", CultureInfo.InvariantCulture) + " UTC" : "none recorded")}, in segment {last.Text}; the next segment, {gap.Text}, is not archived)",
                "choose an earlier target, or wait until the WAL after it is archived",
                FailureKind.Usage);
        }

        return (last.Text, lastCommit);
    }

    private async Task<DateTimeOffset?> LastCommitAsync(string sourceName, BaseBackupInfo info, ulong firstNumber, ulong lastNumber, CancellationToken cancellationToken)
    {
        var archive = new WalArchive(repository, sourceName);
        for (var number = lastNumber; number >= firstNumber && number <= lastNumber; number--)
        {
            var record = await archive.RecordAsync(WalFileName.OfNumber(info.Timeline, number, info.SegmentSize), cancellationToken);
            if (record?.LastCommit is { } commit)
                return commit.Time;
        }

        return null;
    }

    private static async Task WriteRecoverySettingsAsync(string dataDirectory, PitrTarget target, uint timeline, string restoreCommand, bool archiveOff, CancellationToken cancellationToken)
    {
        var settings = new StringBuilder("\n# Point-in-time recovery settings written by Lifeboat\n");
        settings.Append(CultureInfo.InvariantCulture, $"restore_command = {Quote(restoreCommand)}\n");
        if (target.Time is { } time)
            settings.Append(CultureInfo.InvariantCulture, $"recovery_target_time = {Quote(time.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss.ffffff", CultureInfo.InvariantCulture) + "+00")}\n");
        if (target.Position is { } position)
            settings.Append(CultureInfo.InvariantCulture, $"recovery_target_lsn = {Quote(position.ToString())}\n");
        // The backup's own timeline, the one whose archive was checked: 'latest' could follow a timeline a scratch
        // copy once archived under this source and recover its history instead of production's.
        settings.Append(CultureInfo.InvariantCulture, $"recovery_target_timeline = '{timeline}'\n");
        if (!target.Latest)
            settings.Append("recovery_target_action = 'promote'\n");
        if (archiveOff)
            settings.Append("archive_mode = 'off'\n");
        await File.AppendAllTextAsync(Path.Combine(dataDirectory, "postgresql.auto.conf"), settings.ToString(), cancellationToken);
        await File.WriteAllTextAsync(Path.Combine(dataDirectory, "recovery.signal"), "", cancellationToken);
    }

    // postgresql.conf strings: quotes doubled, and backslashes too, which the parser reads as escapes.
    private static string Quote(string value) => "'" + value.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("'", "''", StringComparison.Ordinal) + "'";
}
