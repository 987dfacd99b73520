using System.Buffers;
using System.Collections.Concurrent;
using System.Security.Cryptography;
using Lifeboat.Repository;

namespace Lifeboat.Postgres.Wal;

/// <summary>
/// Reads a source's archived WAL files back as restore_command would, without writing them anywhere: each decrypts and
/// authenticates, a segment is the one its name says and hashes to its record, a history file parses. A few files at a
/// time, each through one buffer, so memory stays bounded whatever the archive's size.
/// </summary>
public sealed class WalArchiveReadCheck(BackupRepository repository, string sourceName)
{
    private const int Buffer = 1 << 20;

    /// <summary>Reads <paramref name="percent"/> of the files <paramref name="contents"/> lists (all at 100), <paramref name="parallelism"/> at a time.</summary>
    public async Task<WalReadReport> ReadAsync(WalArchiveContents contents, int percent, int parallelism, CancellationToken cancellationToken)
    {
        var files = Choose(Files(contents), percent);
        var problems = new ConcurrentBag<(WalFileName Name, string Problem)>();
        var options = new ParallelOptions { MaxDegreeOfParallelism = Math.Max(1, parallelism), CancellationToken = cancellationToken };
        await Parallel.ForEachAsync(files, options, async (name, token) =>
        {
            if (await ReadOneAsync(name, token) is { } problem)
                problems.Add((name, problem));
        });
        return new WalReadReport(files.Count, [.. problems.OrderBy(p => p.Name.Text, StringComparer.Ordinal).Select(p => p.Problem)]);
    }

    /// <summary>Every file recovery may fetch: each timeline's history, segments and partial segments.</summary>
    public static IReadOnlyList<WalFileName> Files(WalArchiveContents contents)
    {
        var files = new List<WalFileName>();
        foreach (var timeline in contents.Timelines)
        {
            if (contents.HasHistory(timeline))
                files.Add(new WalFileName(WalFileKind.History, timeline, 0, 0, $"{timeline:X8}.history"));
            files.AddRange(contents.Segments(timeline).Select(n => contents.NameOf(timeline, n)));
            files.AddRange(contents.Partials(timeline).Select(n => WalFileName.TryParse(contents.NameOf(timeline, n).Text + ".partial")!));
        }

        return files;
    }

    // A random share, rounded up, as the check of backups' objects takes one.
    private static List<WalFileName> Choose(IReadOnlyList<WalFileName> files, int percent)
    {
        var shuffled = files.ToArray();
        if (percent < 100)
            RandomNumberGenerator.Shuffle(shuffled.AsSpan());
        return [.. shuffled.Take((int)Math.Ceiling(files.Count * percent / 100.0))];
    }

    private async Task<string?> ReadOneAsync(WalFileName name, CancellationToken cancellationToken)
    {
        var key = WalArchiveLayout.FileKey(sourceName, name);
        try
        {
            return name.Kind == WalFileKind.History
                ? await ReadHistoryAsync(name, key, cancellationToken)
                : await ReadSegmentAsync(name, key, cancellationToken);
        }
        catch (Exception e) when (e is LifeboatException or IOException)
        {
            // One damaged file is what the check is for: say which, and go on with the others.
            return $"{key}: {e.Message}";
        }
    }

    private async Task<string?> ReadHistoryAsync(WalFileName name, string key, CancellationToken cancellationToken)
    {
        var text = System.Text.Encoding.UTF8.GetString(await repository.ReadEncryptedAsync(key, cancellationToken));
        _ = TimelineHistory.Parse(name.Timeline, text);
        return null;
    }

    private async Task<string?> ReadSegmentAsync(WalFileName name, string key, CancellationToken cancellationToken)
    {
        var scanner = new WalSegmentScanner(name.Text);
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        var buffer = ArrayPool<byte>.Shared.Rent(Buffer);
        var length = 0L;
        try
        {
            await using var stored = await repository.OpenUnlistedObjectAsync(key, cancellationToken);
            int read;
            while ((read = await stored.ReadAsync(buffer.AsMemory(0, Buffer), cancellationToken)) > 0)
            {
                scanner.Append(buffer.AsSpan(0, read));
                hash.AppendData(buffer, 0, read);
                length += read;
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }

        if (new WalSegmentIdentity(name).Refusal(scanner.Complete().Header, length) is { } why)
            return $"{key}: {why}";
        if (name.Kind != WalFileKind.Segment)
            return null;
        var record = await new WalArchive(repository, sourceName).RecordAsync(name, cancellationToken);
        var sha256 = Convert.ToHexStringLower(hash.GetHashAndReset());
        return record is null || record.Sha256 == sha256
            ? null
            : $"{key}: its SHA-256 is {sha256}, its record says {record.Sha256}";
    }
}
