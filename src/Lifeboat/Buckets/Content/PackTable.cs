using Lifeboat.Format;
using Lifeboat.Repository;
using Lifeboat.Storage;

namespace Lifeboat.Buckets.Content;

/// <summary>A pack's table: written after its blobs, read back from the footer by check and by a catalog rebuild.</summary>
public static class PackTable
{
    // The table is JSON of hex digests and numbers: it compresses well, and zstd level 1 costs nothing here.
    private const int CompressionLevel = 1;

    /// <summary>Seals the table of <paramref name="entries"/> and the footer onto <paramref name="pack"/>; returns the bytes written.</summary>
    public static async Task<long> WriteAsync(BackupRepository repository, Stream pack, IReadOnlyCollection<PackTableEntry> entries, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(repository);
        ArgumentNullException.ThrowIfNull(pack);
        var options = new EnvelopeOptions(CompressionLevel, repository.Envelope.ChunkSize, Workers: 0);
        using var table = new MemoryStream();
        await using (var writer = repository.CreateEnvelope(table, options))
        {
            await writer.WriteAsync(JsonLines.Serialize(entries, BucketContentJson.Default.PackTableEntry), cancellationToken);
            await writer.FinishAsync(cancellationToken);
        }

        await pack.WriteAsync(table.GetBuffer().AsMemory(0, (int)table.Length), cancellationToken);
        await pack.WriteAsync(PackFormat.Footer(table.Length), cancellationToken);
        return table.Length + PackFormat.FooterSize;
    }

    /// <summary>Reads the table of the pack at <paramref name="packKey"/>, <paramref name="packSize"/> bytes long: the footer, then the table it names.</summary>
    public static async Task<List<PackTableEntry>> ReadAsync(BackupRepository repository, string packKey, long packSize, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(repository);
        if (packSize < PackFormat.FooterSize)
            throw new DamagedRecordException($"pack '{packKey}' is {packSize} bytes long, too short for a pack footer", "the pack was cut short or replaced");
        var footer = await ReadRangeAsync(repository, packKey, new ByteRange(packSize - PackFormat.FooterSize, PackFormat.FooterSize), cancellationToken);
        var tableLength = PackFormat.TableLength(footer, packKey, packSize);
        var tableRange = new ByteRange(packSize - PackFormat.FooterSize - tableLength, tableLength);
        var sealedTable = await ReadRangeAsync(repository, packKey, tableRange, cancellationToken);
        using var source = new MemoryStream(sealedTable, writable: false);
        await using var reader = repository.OpenUnlistedEnvelope(source, BackupRepository.EmbeddedName(packKey, tableRange));
        using var plain = new MemoryStream();
        await reader.CopyToAsync(plain, cancellationToken);
        return JsonLines.Parse(plain.GetBuffer().AsSpan(0, (int)plain.Length), BucketContentJson.Default.PackTableEntry, packKey);
    }

    private static async Task<byte[]> ReadRangeAsync(BackupRepository repository, string key, ByteRange range, CancellationToken cancellationToken)
    {
        await using var stream = await repository.Store.OpenReadAsync(key, range, cancellationToken);
        var bytes = new byte[range.Length!.Value];
        await stream.ReadExactlyAsync(bytes, cancellationToken);
        return bytes;
    }
}
