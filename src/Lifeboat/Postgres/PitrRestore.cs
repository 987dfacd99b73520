using System.Globalization;
using System.Text;
using Lifeboat.Repository;

namespace Lifeboat.Postgres;

/// <summary>What a point-in-time restore laid out, and how to start it.</summary>
/// <param name="Backup">The base backup it started from.</param>
/// <param name="DataDirectory">Where the data directory was laid out: its path from '/' with every symbolic link in it resolved.</param>
/// <param name="Timeline">The timeline recovery follows.</param>
/// <param name="LastSegment">The last archived segment recovery can reach without a gap.</param>
/// <param name="LastCommit">The last archived commit time recovery can reach, when the archive recorded one.</param>
public sealed record PitrResult(BackupManifest Backup, string DataDirectory, uint Timeline, string LastSegment, DateTimeOffset? LastCommit);

/// <summary>
/// Lays out a data directory that recovers to a moment: the newest base backup that ended before it on the target
/// timeline's history, and recovery settings that fetch the archived WAL. Everything that can make recovery fail is
/// checked before a byte is written (<see cref="PitrPlanner"/>, <see cref="BaseBackupLayout.Plan(BaseBackupInfo, RestoreDestination)"/>): a target outside
/// the recoverable window, a timeline that does not lead from the backup, a gap in the WAL, a non-empty directory.
/// </summary>
public sealed class PitrRestore(BackupRepository repository, IActivityReporter reporter)
{
    /// <summary>
    /// Restores <paramref name="sourceName"/>'s cluster into <paramref name="destination"/>, recovering to
    /// <paramref name="target"/> from the base backup <paramref name="backupId"/> names, or else the newest before it.
    /// </summary>
    public async Task<PitrResult> RunAsync(
        string sourceName, PitrTarget target, string? backupId, RestoreDestination destination, string restoreCommand, bool archiveOff, CancellationToken cancellationToken)
    {
        var plan = await new PitrPlanner(repository, sourceName, reporter).PlanAsync(target, backupId, cancellationToken);
        var (backup, info) = (plan.Backup, plan.Info);
        using var layout = BaseBackupLayout.Plan(info, destination);

        reporter.Event($"point-in-time restore: base backup {backup.Id} into {destination.DataDirectory}, recovering to {target} on timeline {plan.Timeline}");
        await layout.LayOutAsync(repository, backup, reporter, cancellationToken);
        await layout.WriteRecoverySettingsAsync(RecoverySettings(target, plan.Timeline, restoreCommand, archiveOff), cancellationToken);
        await layout.FinishAsync(reporter, cancellationToken);
        return new PitrResult(backup, layout.ResolvedDataDirectory, plan.Timeline, plan.LastSegment.Text, plan.LastCommit);
    }

    private static string RecoverySettings(PitrTarget target, uint timeline, string restoreCommand, bool archiveOff)
    {
        var settings = new StringBuilder("\n# Point-in-time recovery settings written by Lifeboat\n");
        settings.Append(CultureInfo.InvariantCulture, $"restore_command = {Quote(restoreCommand)}\n");
        foreach (var (name, value) in target.RecoverySettings())
            settings.Append(CultureInfo.InvariantCulture, $"{name} = {Quote(value)}\n");
        // The number of the timeline whose history and archive were checked, never 'latest': PostgreSQL would take the
        // newest timeline archived, which may be one a scratch copy archived under this source, not leading from the backup.
        settings.Append(CultureInfo.InvariantCulture, $"recovery_target_timeline = '{timeline}'\n");
        if (archiveOff)
            settings.Append("archive_mode = 'off'\n");
        return settings.ToString();
    }

    // postgresql.conf strings: quotes doubled, and backslashes too, which the parser reads as escapes.
    private static string Quote(string value) => "'" + value.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("'", "''", StringComparison.Ordinal) + "'";
}
