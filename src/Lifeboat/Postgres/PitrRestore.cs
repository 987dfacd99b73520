using System.Formats.Tar;
using System.Globalization;
using System.Text;
using Lifeboat.Repository;

namespace Lifeboat.Postgres;

/// <summary>What a point-in-time restore laid out, and how to start it.</summary>
/// <param name="Backup">The base backup it started from.</param>
/// <param name="Timeline">The timeline recovery follows.</param>
/// <param name="LastSegment">The last archived segment recovery can reach without a gap.</param>
/// <param name="LastCommit">The last archived commit time recovery can reach, when the archive recorded one.</param>
public sealed record PitrResult(BackupManifest Backup, uint Timeline, string LastSegment, DateTimeOffset? LastCommit);

/// <summary>
/// Lays out a data directory that recovers to a moment: the newest base backup that ended before it on the target
/// timeline's history, and recovery settings that fetch the archived WAL. Everything that can make recovery fail is
/// checked before a byte is written (<see cref="PitrPlanner"/>): a target outside the recoverable window, a timeline
/// that does not lead from the backup, a gap in the WAL, a non-empty directory.
/// </summary>
public sealed class PitrRestore(BackupRepository repository, IActivityReporter reporter)
{
    /// <summary>
    /// Restores <paramref name="sourceName"/>'s cluster into <paramref name="dataDirectory"/>, recovering to
    /// <paramref name="target"/> from the base backup <paramref name="backupId"/> names, or else the newest before it.
    /// </summary>
    public async Task<PitrResult> RunAsync(
        string sourceName, PitrTarget target, string? backupId, string dataDirectory, string restoreCommand, bool force, bool archiveOff, CancellationToken cancellationToken)
    {
        var plan = await new PitrPlanner(repository, sourceName, reporter).PlanAsync(target, backupId, cancellationToken);
        var (backup, info) = (plan.Backup, plan.Info);
        CheckTargetDirectory(dataDirectory, force);
        // A tablespace goes back where it was; on the production host that is the running cluster's own tablespace,
        // so it is never emptied, --force or not (relocating tablespaces is still to come).
        foreach (var tablespace in info.Tablespaces.Where(t => t.Location is not null))
            CheckTargetDirectory(tablespace.Location!, force: false);

        reporter.Event($"restore pitr: base backup {backup.Id} into {dataDirectory}, recovering to {target} on timeline {plan.Timeline}");
        Directory.CreateDirectory(dataDirectory, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        // PostgreSQL refuses a data directory others may read; an existing empty one keeps its mode unless told.
        File.SetUnixFileMode(dataDirectory, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        foreach (var stored in backup.Objects.Where(o => o.Role == "base-tar"))
        {
            var name = Path.GetFileName(stored.Key);
            var tablespace = info.Tablespaces.Single(t => t.Archive == name);
            await ExtractAsync(stored, tablespace.Location ?? dataDirectory, cancellationToken);
        }

        await WriteRecoverySettingsAsync(dataDirectory, target, plan.Timeline, restoreCommand, archiveOff, cancellationToken);
        return new PitrResult(backup, plan.Timeline, plan.LastSegment.Text, plan.LastCommit);
    }

    private static void CheckTargetDirectory(string directory, bool force)
    {
        if (!Directory.Exists(directory) || !Directory.EnumerateFileSystemEntries(directory).Any())
            return;
        if (!force)
        {
            throw new LifeboatException($"'{directory}' is not empty; nothing was written", kind: FailureKind.Usage)
            {
                Remedy = new(RemedyAction.EmptyDirectoryOrReplace),
            };
        }

        if (File.Exists(Path.Combine(directory, "postmaster.pid")))
            throw new LifeboatException($"'{directory}' holds postmaster.pid: a server may be running on it; nothing was written", "stop that server first", FailureKind.Usage);
        foreach (var entry in Directory.EnumerateFileSystemEntries(directory))
        {
            if (Directory.Exists(entry) && !File.GetAttributes(entry).HasFlag(FileAttributes.ReparsePoint))
                Directory.Delete(entry, recursive: true);
            else
                File.Delete(entry);
        }
    }

    private async Task ExtractAsync(StoredObject stored, string directory, CancellationToken cancellationToken)
    {
        Directory.CreateDirectory(directory, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        var root = Path.GetFullPath(directory) + Path.DirectorySeparatorChar;
        await using var input = await repository.OpenObjectAsync(stored, cancellationToken);
        await using var tar = new TarReader(input);
        while (await tar.GetNextEntryAsync(copyData: false, cancellationToken) is { } entry)
        {
            var path = Path.GetFullPath(Path.Combine(directory, entry.Name));
            if (!path.StartsWith(root, StringComparison.Ordinal) && path + Path.DirectorySeparatorChar != root)
                throw new LifeboatException($"the base backup's archive {stored.Key} holds '{entry.Name}', outside the directory it restores into", "the backup is damaged or was tampered with");
            switch (entry.EntryType)
            {
                case TarEntryType.Directory:
                    Directory.CreateDirectory(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
                    break;
                case TarEntryType.SymbolicLink:
                    File.CreateSymbolicLink(path, entry.LinkName);
                    break;
                case TarEntryType.RegularFile or TarEntryType.V7RegularFile:
                    Directory.CreateDirectory(Path.GetDirectoryName(path)!);
                    await using (var file = new FileStream(path, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 16, FileOptions.Asynchronous))
                    {
                        if (entry.DataStream is { } data)
                            await data.CopyToAsync(file, cancellationToken);
                    }

                    File.SetUnixFileMode(path, entry.Mode & (UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead));
                    break;
                default:
                    break;
            }
        }
    }

    private static async Task WriteRecoverySettingsAsync(string dataDirectory, PitrTarget target, uint timeline, string restoreCommand, bool archiveOff, CancellationToken cancellationToken)
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
        await File.AppendAllTextAsync(Path.Combine(dataDirectory, "postgresql.auto.conf"), settings.ToString(), cancellationToken);
        await File.WriteAllTextAsync(Path.Combine(dataDirectory, "recovery.signal"), "", cancellationToken);
    }

    private static string Quote(string value) => "'" + value.Replace("'", "''", StringComparison.Ordinal) + "'";
}
