using System.Security.Cryptography;
using System.Text.Json;
using Lifeboat.Format;
using Lifeboat.Repository;
using Lifeboat.Storage;

namespace Lifeboat.Postgres.Wal;

/// <summary>What became of a file handed to <see cref="WalArchive.PushAsync"/>.</summary>
public enum WalPushOutcome
{
    /// <summary>It was stored, durably.</summary>
    Stored,

    /// <summary>The archive already held exactly these bytes under its name (PostgreSQL retried after a lost reply).</summary>
    AlreadyArchived,
}

/// <summary>
/// One source's continuous WAL archive in the repository: archive_command stores each file here, restore_command
/// fetches it back. A segment is stored whole through the envelope, then a record of its hash and commits beside it.
/// </summary>
public sealed class WalArchive(BackupRepository repository, string sourceName)
{
    private const int CopyBuffer = 1 << 20;

    /// <summary>
    /// Segments are compressed at zstd level 1 at most: archive_command runs once per 16 MiB on the archiver's critical
    /// path, and level 3 alone costs ~100 ms per segment on this 2-core machine, level 1 ~60 ms, for ~5 % more
    /// bytes. A repository configured at 0 (no compression) or below 1 keeps its own level.
    /// </summary>
    private EnvelopeOptions SegmentEnvelope => repository.Envelope with { CompressionLevel = Math.Min(repository.Envelope.CompressionLevel, 1) };

    /// <summary>
    /// Stores the file at <paramref name="path"/>, returning only once it is durable. A file already archived with the
    /// same bytes succeeds; with other bytes, or from another cluster, it fails and the stored file is kept.
    /// </summary>
    public async Task<WalPushOutcome> PushAsync(string path, CancellationToken cancellationToken)
    {
        var name = NameOf(path);
        var key = WalArchiveLayout.FileKey(sourceName, name);
        var existing = await repository.Store.StatAsync(key, cancellationToken);
        if (name.Kind is WalFileKind.Segment or WalFileKind.Partial)
            return await PushSegmentAsync(path, name, key, existing is not null, cancellationToken);
        return await PushSmallFileAsync(path, name, key, existing is not null, cancellationToken);
    }

    /// <summary>
    /// Writes the archived file <paramref name="fileName"/> to <paramref name="destination"/> atomically (a temporary
    /// file renamed into place), checking that a segment is the one its name says. Throws
    /// <see cref="WalFileMissingException"/> when the archive has no such file.
    /// </summary>
    public async Task FetchAsync(string fileName, string destination, CancellationToken cancellationToken)
    {
        var name = WalFileName.TryParse(fileName)
            ?? throw new LifeboatException($"'{fileName}' is not the name of a WAL segment, history or backup label file", kind: FailureKind.Usage);
        var key = WalArchiveLayout.FileKey(sourceName, name);
        var temporary = destination + ".lifeboat-partial";
        try
        {
            await using (var output = new FileStream(temporary, FileMode.Create, FileAccess.Write, FileShare.None, 0, FileOptions.Asynchronous))
            {
                await CopyOutAsync(name, key, output, cancellationToken);
                output.Flush(flushToDisk: true);
            }

            File.Move(temporary, destination, overwrite: true);
        }
        catch
        {
            File.Delete(temporary);
            throw;
        }
    }

    /// <summary>The archive's cluster, or null before its first push.</summary>
    public async Task<WalArchiveIdentity?> IdentityAsync(CancellationToken cancellationToken)
    {
        var key = WalArchiveLayout.IdentityKey(sourceName);
        try
        {
            return RepositoryJson.Parse(await repository.ReadEncryptedAsync(key, cancellationToken), WalJson.Default.WalArchiveIdentity, key);
        }
        catch (ObjectNotFoundException)
        {
            return null;
        }
    }

    /// <summary>The record kept beside an archived segment, or null when its push was interrupted before writing it.</summary>
    public async Task<WalSegmentRecord?> RecordAsync(WalFileName name, CancellationToken cancellationToken)
    {
        var key = WalArchiveLayout.RecordKey(sourceName, name);
        try
        {
            return RepositoryJson.Parse(await repository.ReadEncryptedAsync(key, cancellationToken), WalJson.Default.WalSegmentRecord, key);
        }
        catch (ObjectNotFoundException)
        {
            return null;
        }
    }

    /// <summary>The archived history of <paramref name="timeline"/>, or null when the archive has none (timeline 1 never has one).</summary>
    public async Task<TimelineHistory?> HistoryAsync(uint timeline, CancellationToken cancellationToken)
    {
        var key = WalArchiveLayout.FileKey(sourceName, new WalFileName(WalFileKind.History, timeline, 0, 0, $"{timeline:X8}.history"));
        try
        {
            return TimelineHistory.Parse(timeline, System.Text.Encoding.UTF8.GetString(await repository.ReadEncryptedAsync(key, cancellationToken)));
        }
        catch (ObjectNotFoundException)
        {
            return null;
        }
    }

    private static WalFileName NameOf(string path) =>
        WalFileName.TryParse(Path.GetFileName(path))
        ?? throw new LifeboatException(
            $"'{path}' is not a WAL segment, history or backup label file",
            "archive_command must pass the file PostgreSQL names as %p",
            FailureKind.Usage);

    private async Task<WalPushOutcome> PushSegmentAsync(string path, WalFileName name, string key, bool exists, CancellationToken cancellationToken)
    {
        await using var file = OpenLocal(path);
        var header = await ReadHeaderAsync(file, path, cancellationToken);
        CheckIsSegment(path, name, header, file.Length);
        // The claim comes before anything is stored: a cluster that loses the race to an archive's first push learns
        // here that another cluster owns it, and stores nothing.
        var identity = await IdentityAsync(cancellationToken);
        var claimedNow = identity is null;
        identity ??= await ClaimAsync(header, cancellationToken);
        CheckSameCluster(path, header, identity);
        if (exists)
            return await CompareWithStoredAsync(path, name, key, file, cancellationToken);

        var scanner = new WalSegmentScanner(name.Text);
        StoredObject stored;
        await using (var writer = await repository.CreateObjectAsync(key, "wal-segment", SegmentEnvelope, cancellationToken))
        {
            await CopyAsync(file, writer.Stream, scanner, cancellationToken);
            stored = await writer.CompleteAsync(cancellationToken);
        }

        await WriteRecordAsync(name, stored, scanner.Complete(), cancellationToken);
        if (claimedNow)
            await CheckClaimStillOursAsync(name, header, cancellationToken);
        return WalPushOutcome.Stored;
    }

    /// <summary>
    /// After the push that claimed the archive: on a store that ignores create-if-absent another cluster may have
    /// claimed it too and stored over this segment, so success is reported only while the claim is still this
    /// cluster's. The failure makes PostgreSQL retry, and the retry meets the conflict loudly. One read per archive.
    /// </summary>
    private async Task CheckClaimStillOursAsync(WalFileName name, WalPageHeader header, CancellationToken cancellationToken)
    {
        var claim = await IdentityAsync(cancellationToken);
        if (claim is not null && claim.SystemId == header.SystemId)
            return;
        throw new LifeboatException(
            $"WAL file '{name.Text}' may have been overwritten: another cluster claimed WAL archive '{WalArchiveLayout.Root(sourceName)}' in {repository.Store.Location} while this one made its first push",
            "two clusters must not archive under one source name: give the other cluster a source of its own");
    }

    /// <summary>
    /// Claims the unclaimed archive for the cluster that wrote <paramref name="header"/> with one create-if-absent, and
    /// returns the claim that holds: this one, or the one another pusher created first. Of two clusters racing to an
    /// archive's first push exactly one creates the claim; the other reads it and is refused before it stores a byte.
    /// </summary>
    private async Task<WalArchiveIdentity> ClaimAsync(WalPageHeader header, CancellationToken cancellationToken)
    {
        var key = WalArchiveLayout.IdentityKey(sourceName);
        var claim = new WalArchiveIdentity
        {
            SystemId = header.SystemId,
            WalMagic = header.Magic,
            MajorVersion = header.MajorVersion ?? 0,
            SegmentSize = header.SegmentSize,
            Since = DateTimeOffset.UtcNow,
        };
        var bytes = JsonSerializer.SerializeToUtf8Bytes(claim, WalJson.Default.WalArchiveIdentity);
        // A store that ignores the condition (an S3 server without If-None-Match on PutObject) says "created" to
        // both of two clusters racing here; the archive still works there, and the page header's system identifier,
        // checked on every later push and by PostgreSQL itself at replay, still keeps another cluster's WAL out.
        if (await repository.TryCreateEncryptedAsync(key, bytes, cancellationToken))
            return claim;

        // Another pusher claimed it first: another cluster, this cluster's other pusher, or this push's own write,
        // retried after a lost reply. Reading the claim is what tells them apart.
        return await IdentityAsync(cancellationToken)
            ?? throw new LifeboatException(
                $"the record of which cluster WAL archive '{WalArchiveLayout.Root(sourceName)}' belongs to was deleted in {repository.Store.Location} while this push claimed the archive",
                "something else deletes from the repository; the push fails so that PostgreSQL retries it");
    }

    private async Task<WalPushOutcome> PushSmallFileAsync(string path, WalFileName name, string key, bool exists, CancellationToken cancellationToken)
    {
        await using var file = OpenLocal(path);
        if (name.Kind == WalFileKind.History)
            CheckHistory(name, await File.ReadAllTextAsync(path, cancellationToken));
        if (exists)
            return await CompareWithStoredAsync(path, name, key, file, cancellationToken);

        StoredObject stored;
        await using (var writer = await repository.CreateObjectAsync(key, name.Kind == WalFileKind.History ? "wal-history" : "wal-backup-label", cancellationToken))
        {
            await file.CopyToAsync(writer.Stream, CopyBuffer, cancellationToken);
            stored = await writer.CompleteAsync(cancellationToken);
        }

        await WriteRecordAsync(name, stored, summary: null, cancellationToken);
        return WalPushOutcome.Stored;
    }

    private static FileStream OpenLocal(string path)
    {
        try
        {
            return new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 0, FileOptions.Asynchronous | FileOptions.SequentialScan);
        }
        catch (FileNotFoundException)
        {
            throw new LifeboatException($"WAL file '{path}' does not exist", "archive_command must pass the file PostgreSQL names as %p, relative to the data directory", FailureKind.Usage);
        }
    }

    private static async Task<WalPageHeader> ReadHeaderAsync(FileStream file, string path, CancellationToken cancellationToken)
    {
        var first = new byte[WalPageHeader.LongSize];
        var read = await file.ReadAtLeastAsync(first, first.Length, throwOnEndOfStream: false, cancellationToken);
        file.Position = 0;
        var scanner = new WalSegmentScanner(Path.GetFileName(path));
        scanner.Append(first.AsSpan(0, read));
        return scanner.Header ?? scanner.Complete().Header; // Complete names what is wrong with a file too short
    }

    /// <summary>Refuses a segment that is not the one its name says.</summary>
    private static void CheckIsSegment(string path, WalFileName name, WalPageHeader header, long length)
    {
        var fileName = Path.GetFileName(path);
        if (length != header.SegmentSize)
            throw NotThisSegment(fileName, $"it is {length} bytes long, and its header gives segments of {header.SegmentSize}");
        if (header.PageAddress != name.StartPosition(header.SegmentSize))
            throw NotThisSegment(fileName, $"its first page is at {new WalPosition(header.PageAddress)}, where segment {WalFileName.OfPosition(name.Timeline, header.PageAddress, header.SegmentSize).SegmentText[8..]} starts");
        // A new timeline's first segment begins with a copy of its parent's pages, so an older timeline is fine here.
        if (header.Timeline > name.Timeline)
            throw NotThisSegment(fileName, $"its first page was written on timeline {header.Timeline}");
    }

    /// <summary>Refuses a segment that another cluster, or another major version, wrote.</summary>
    private static void CheckSameCluster(string path, WalPageHeader header, WalArchiveIdentity identity)
    {
        var fileName = Path.GetFileName(path);
        if (header.SystemId != identity.SystemId)
        {
            throw new LifeboatException(
                $"refusing WAL file '{fileName}': it comes from the cluster with system identifier {header.SystemId}, and this archive belongs to {identity.SystemId}",
                "two clusters must not archive under one source name: give the other cluster a source of its own; after initdb or pg_upgrade start a new archive");
        }

        if (header.Magic != identity.WalMagic || header.SegmentSize != identity.SegmentSize)
        {
            throw new LifeboatException(
                $"refusing WAL file '{fileName}': it is PostgreSQL {header.MajorVersion} WAL with {header.SegmentSize}-byte segments, and this archive holds PostgreSQL {identity.MajorVersion} WAL with {identity.SegmentSize}-byte segments",
                "after a major upgrade start a new archive under another source name");
        }
    }

    private static LifeboatException NotThisSegment(string fileName, string why) =>
        new($"refusing WAL file '{fileName}': {why}", "archive only the files PostgreSQL passes to archive_command as %p");

    // A damaged history file would send a later recovery down the wrong timeline: refuse it before it is stored.
    private static void CheckHistory(WalFileName name, string text) => _ = TimelineHistory.Parse(name.Timeline, text);

    /// <summary>An identical re-push succeeds; a conflicting one fails loudly and keeps what is stored.</summary>
    private async Task<WalPushOutcome> CompareWithStoredAsync(string path, WalFileName name, string key, FileStream file, CancellationToken cancellationToken)
    {
        var local = await Sha256Async(file, cancellationToken);
        var record = await RecordAsync(name, cancellationToken);
        var stored = record?.Sha256 ?? await StoredSha256Async(key, cancellationToken);
        if (!string.Equals(local, stored, StringComparison.Ordinal))
        {
            throw new LifeboatException(
                $"WAL file '{Path.GetFileName(path)}' is already archived with different content (stored SHA-256 {stored}, this one {local}); the stored file is kept",
                "two clusters may be archiving under one source name, or this cluster was restored without a new timeline: check archive_command on every server");
        }

        if (record is null)
            await RepairRecordAsync(path, name, key, cancellationToken);
        return WalPushOutcome.AlreadyArchived;
    }

    // A push interrupted between the segment and its record: the segment is complete (its upload was atomic), so its
    // record is written now from the local copy, which was just shown to be identical.
    private async Task RepairRecordAsync(string path, WalFileName name, string key, CancellationToken cancellationToken)
    {
        var info = await repository.Store.StatAsync(key, cancellationToken);
        await using var file = OpenLocal(path);
        var scanner = name.Kind is WalFileKind.Segment or WalFileKind.Partial ? new WalSegmentScanner(name.Text) : null;
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        await CopyAsync(file, Stream.Null, scanner, cancellationToken, hash);
        var stored = new StoredObject(key, "wal", file.Length, info?.Size ?? 0, Convert.ToHexStringLower(hash.GetHashAndReset()));
        await WriteRecordAsync(name, stored, scanner?.Complete(), cancellationToken);
    }

    private async Task<string> StoredSha256Async(string key, CancellationToken cancellationToken)
    {
        await using var stored = await repository.OpenUnlistedObjectAsync(key, cancellationToken);
        return await Sha256Async(stored, cancellationToken);
    }

    private static async Task<string> Sha256Async(Stream stream, CancellationToken cancellationToken)
    {
        if (stream.CanSeek)
            stream.Position = 0;
        using var sha = SHA256.Create();
        var hash = await sha.ComputeHashAsync(stream, cancellationToken);
        if (stream.CanSeek)
            stream.Position = 0;
        return Convert.ToHexStringLower(hash);
    }

    /// <summary>Copies <paramref name="source"/> to its end, returning how many bytes it held.</summary>
    private static async Task<long> CopyAsync(Stream source, Stream destination, WalSegmentScanner? scanner, CancellationToken cancellationToken, IncrementalHash? hash = null)
    {
        var buffer = new byte[CopyBuffer];
        var length = 0L;
        int read;
        while ((read = await source.ReadAsync(buffer, cancellationToken)) > 0)
        {
            scanner?.Append(buffer.AsSpan(0, read));
            hash?.AppendData(buffer, 0, read);
            await destination.WriteAsync(buffer.AsMemory(0, read), cancellationToken);
            length += read;
        }

        return length;
    }

    private async Task WriteRecordAsync(WalFileName name, StoredObject stored, WalSegmentSummary? summary, CancellationToken cancellationToken)
    {
        var record = new WalSegmentRecord
        {
            Sha256 = stored.Sha256,
            SizeBytes = stored.SizeBytes,
            StoredBytes = stored.StoredBytes,
            ArchivedAt = DateTimeOffset.UtcNow,
            Commits = summary?.Commits ?? 0,
            FirstCommit = summary?.FirstCommit,
            LastCommit = summary?.LastCommit,
            RestorePoints = summary?.RestorePoints ?? [],
            ValidBytes = summary?.ValidBytes ?? stored.SizeBytes,
            TransactionsEnded = summary?.TransactionsEnded,
            TransactionEndRunningOn = summary?.TransactionEndRunningOn,
            LastRecordStart = summary?.LastRecordStart ?? 0,
        };
        await WriteSmallAsync(WalArchiveLayout.RecordKey(sourceName, name), "wal-record", JsonSerializer.SerializeToUtf8Bytes(record, WalJson.Default.WalSegmentRecord), cancellationToken);
    }

    private async Task WriteSmallAsync(string key, string role, byte[] bytes, CancellationToken cancellationToken)
    {
        await using var writer = await repository.CreateObjectAsync(key, role, cancellationToken);
        await writer.Stream.WriteAsync(bytes, cancellationToken);
        await writer.CompleteAsync(cancellationToken);
    }

    private async Task CopyOutAsync(WalFileName name, string key, Stream output, CancellationToken cancellationToken)
    {
        Stream stored;
        try
        {
            stored = await repository.OpenUnlistedObjectAsync(key, cancellationToken);
        }
        catch (ObjectNotFoundException)
        {
            throw new WalFileMissingException(name.Text, repository.Store.Location);
        }

        await using (stored)
        {
            var scanner = name.Kind is WalFileKind.Segment or WalFileKind.Partial ? new WalSegmentScanner(name.Text) : null;
            var length = await CopyAsync(stored, output, scanner, cancellationToken);
            if (scanner is not null)
                CheckFetched(name, key, scanner.Complete().Header, length);
        }
    }

    // The envelope proves the bytes authentic; this proves they are the segment asked for, not another authentic one
    // put in its place. The archive's cluster is not read for it: that would cost every fetch a second object.
    private static void CheckFetched(WalFileName name, string key, WalPageHeader header, long length)
    {
        if (new WalSegmentIdentity(name).Refusal(header, length) is { } why)
            throw new EnvelopeCorruptException(key, why);
    }
}

/// <summary>The archive holds no file of that name: for restore_command, the end of the archived WAL.</summary>
public sealed class WalFileMissingException(string fileName, string location)
    : LifeboatException($"WAL file '{fileName}' is not in the archive at {location}")
{
    /// <summary>The file asked for.</summary>
    public string FileName { get; } = fileName;
}
