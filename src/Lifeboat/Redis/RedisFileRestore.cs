using Lifeboat.Repository;
using Lifeboat.Storage;

namespace Lifeboat.Redis;

/// <summary>
/// Writes a Redis snapshot back as a file a server can start from: the RDB itself (dump.rdb), or an append-only
/// directory holding it as its base. Whatever is written is checked in full (RDB header, end marker, CRC64) before it
/// takes the target's name, which then appears at once and whole (temporary name, fsync, rename); a damaged backup
/// leaves the target untouched.
/// </summary>
public sealed class RedisFileRestore(BackupRepository repository, IActivityReporter reporter)
{
    private const int CopyBuffer = 1 << 20;

    /// <summary>Writes the RDB of <paramref name="manifest"/> to <paramref name="file"/>; an existing file is replaced only with <paramref name="force"/>.</summary>
    public async Task<RedisFileRestoreResult> ToFileAsync(BackupManifest manifest, string file, bool force, CancellationToken cancellationToken)
    {
        var info = RedisSnapshotInfo.Of(manifest);
        var target = Path.GetFullPath(file);
        if (Directory.Exists(target))
            throw new LifeboatException($"{target} is a directory", "give the path of the RDB file to write (e.g. /data/dump.rdb)", FailureKind.Usage);
        RefuseExisting(target, File.Exists(target), force, "file");
        var temporary = TemporaryBeside(target);
        try
        {
            await WriteVerifiedAsync(manifest, temporary, cancellationToken);
            MoveFile(temporary, target, force);
            DirectorySync.Flush(Path.GetDirectoryName(target)!);
        }
        catch
        {
            File.Delete(temporary);
            throw;
        }

        reporter.Event($"restore: backup {manifest.Id} written to {target} ({info.RdbBytes} bytes, RDB version {info.RdbVersion})");
        return new RedisFileRestoreResult(manifest.Id, target, info.RdbBytes, null, info.RdbVersion);
    }

    /// <summary>
    /// Lays the RDB of <paramref name="manifest"/> out as the append-only directory <paramref name="directory"/>
    /// (Redis's dir/appendonlydir); an existing one is replaced only with <paramref name="force"/>.
    /// </summary>
    public async Task<RedisFileRestoreResult> ToAofDirectoryAsync(BackupManifest manifest, string directory, bool force, CancellationToken cancellationToken)
    {
        var info = RedisSnapshotInfo.Of(manifest);
        var target = Path.GetFullPath(directory.TrimEnd('/'));
        if (File.Exists(target))
            throw new LifeboatException($"{target} is a file", "give the append-only directory to write (Redis's dir and appenddirname, e.g. /data/appendonlydir)", FailureKind.Usage);
        RefuseExisting(target, Directory.Exists(target), force, "directory");
        var parent = Path.GetDirectoryName(target)!;
        var temporary = TemporaryBeside(target);
        Directory.CreateDirectory(temporary);
        try
        {
            await WriteVerifiedAsync(manifest, Path.Combine(temporary, AofLayout.BaseFileName()), cancellationToken);
            await WriteSyncedAsync(Path.Combine(temporary, AofLayout.ManifestFileName()), AofLayout.ManifestText(), cancellationToken);
            DirectorySync.Flush(temporary);
            ReplaceDirectory(temporary, target, force);
            DirectorySync.Flush(parent);
        }
        catch
        {
            if (Directory.Exists(temporary))
                Directory.Delete(temporary, recursive: true);
            throw;
        }

        reporter.Event($"restore: backup {manifest.Id} laid out as the append-only directory {target} ({info.RdbBytes} bytes, RDB version {info.RdbVersion})");
        return new RedisFileRestoreResult(manifest.Id, Path.Combine(target, AofLayout.BaseFileName()), info.RdbBytes, target, info.RdbVersion);
    }

    private async Task WriteVerifiedAsync(BackupManifest manifest, string path, CancellationToken cancellationToken)
    {
        var stored = manifest.Objects.FirstOrDefault(o => o.Key.EndsWith("/" + RedisBackup.RdbObject, StringComparison.Ordinal))
            ?? throw new DamagedRecordException($"the manifest of backup {manifest.Id} ({manifest.Source}/{manifest.Name}) lists no RDB object") { Remedy = new(RemedyAction.CheckRepository) };
        await using var input = await repository.OpenObjectAsync(stored, cancellationToken);
        var check = new RdbCheckingStream(input, $"the RDB of backup {manifest.Id}", "restore from another backup");
        var progress = reporter.StartTransfer($"rdb {manifest.Name}", stored.SizeBytes);
        await using (var output = new FileStream(path, FileMode.CreateNew, FileAccess.Write, FileShare.None, CopyBuffer, FileOptions.Asynchronous))
        {
            // Written back as it goes, so the fsync at the end waits for the last few MiB only.
            var writeBehind = new WriteBehind(output.SafeFileHandle);
            var buffer = new byte[CopyBuffer];
            int read;
            while ((read = await check.ReadAsync(buffer, cancellationToken)) > 0)
            {
                await output.WriteAsync(buffer.AsMemory(0, read), cancellationToken);
                writeBehind.Advance(output.Position);
                progress.Report(check.BytesRead);
            }

            await output.FlushAsync(cancellationToken);
            output.Flush(flushToDisk: true);
        }
    }

    private static async Task WriteSyncedAsync(string path, string text, CancellationToken cancellationToken)
    {
        await using var output = new FileStream(path, FileMode.CreateNew, FileAccess.Write, FileShare.None, 4096, FileOptions.Asynchronous);
        await output.WriteAsync(System.Text.Encoding.ASCII.GetBytes(text), cancellationToken);
        output.Flush(flushToDisk: true);
    }

    // The target was refused when it existed; one made since, while the RDB was written, is refused the same way.
    private static void MoveFile(string temporary, string target, bool force)
    {
        try
        {
            File.Move(temporary, target, overwrite: force);
        }
        catch (IOException e) when (!force && (File.Exists(target) || Directory.Exists(target)))
        {
            throw Existing(target, "file", e);
        }
    }

    // Without leave, only a name that is free is taken; with it, the old directory is replaced (DirectoryReplacement).
    private static void ReplaceDirectory(string temporary, string target, bool force)
    {
        if (!Directory.Exists(target))
        {
            try
            {
                Directory.Move(temporary, target);
            }
            catch (IOException e) when (File.Exists(target) || Directory.Exists(target))
            {
                // Made since it was looked at: without leave it is refused; with it, the restore is to be run again.
                throw force ? new LifeboatException($"{target} appeared while the restore wrote beside it; nothing was replaced", "run the restore again", inner: e) : Existing(target, "directory", e);
            }

            return;
        }

        if (!force)
            throw Existing(target, "directory");

        DirectoryReplacement.Replace(temporary, target, TemporaryBeside(target) + ".old");
    }

    private static void RefuseExisting(string target, bool exists, bool force, string what)
    {
        if (exists && !force)
            throw Existing(target, what);
    }

    private static LifeboatException Existing(string target, string what, Exception? inner = null) => new(
        $"{target} exists; the restore would replace that {what}",
        "nothing was written; a server must not be running on it when it is replaced",
        FailureKind.Usage,
        inner)
    {
        Remedy = new(RemedyAction.RestoreToAnotherPathOrReplace),
    };

    private static string TemporaryBeside(string target) =>
        Path.Combine(Path.GetDirectoryName(target)!, $".{Path.GetFileName(target)}.lifeboat-{Guid.NewGuid():N}");
}

/// <summary>What a restore to a file wrote.</summary>
/// <param name="BackupId">The backup restored.</param>
/// <param name="RdbFile">The RDB file written (the base file, for an append-only directory).</param>
/// <param name="Bytes">Its size.</param>
/// <param name="AofDirectory">The append-only directory laid out, or null for a plain RDB file.</param>
/// <param name="RdbVersion">The RDB's version: a Redis older than the one that wrote it does not load it.</param>
public sealed record RedisFileRestoreResult(string BackupId, string RdbFile, long Bytes, string? AofDirectory, int RdbVersion);
