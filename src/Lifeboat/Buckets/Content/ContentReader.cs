using System.Runtime.CompilerServices;
using Lifeboat.Repository;
using Lifeboat.Storage;

namespace Lifeboat.Buckets.Content;

/// <summary>
/// Reads content back by its address: one ranged, verified read per content, or small contents in pack order with
/// one ranged GET per run of neighbouring blobs (restore). No byte is handed out before its blob's envelope has
/// authenticated it and its SHA-256 and length match the address.
/// </summary>
public sealed class ContentReader(BackupRepository repository, BucketContentLayout layout, ContentCatalog catalog)
{
    /// <summary>Blobs this close together are fetched with one GET: reading the gap costs less than another request.</summary>
    public const long CoalesceGap = 1 << 20;

    /// <summary>Opens a reader over the catalog of <paramref name="layout"/>'s source, loaded now.</summary>
    public static async Task<ContentReader> OpenAsync(BackupRepository repository, BucketContentLayout layout, Action<string, LifeboatException>? onDamaged, CancellationToken cancellationToken) =>
        new(repository, layout, await CatalogLoader.LoadAsync(repository, layout, onDamaged, cancellationToken));

    /// <summary>Where <paramref name="sha"/> lies, or null when the catalog does not hold it.</summary>
    public ContentLocation? Locate(ContentDigest sha) => catalog.TryFind(sha, out var location) ? location : null;

    /// <summary>
    /// Opens the content <paramref name="sha"/> of <paramref name="size"/> bytes; the stream fails at its end unless
    /// the bytes hash to <paramref name="sha"/>. Empty content needs no read.
    /// </summary>
    public async Task<Stream> OpenAsync(ContentDigest sha, long size, CancellationToken cancellationToken)
    {
        if (size == 0 && sha == ContentDigest.Empty)
            return new MemoryStream([], writable: false);
        var location = Locate(sha) ?? throw NotHeld(sha);
        if (location.Size != size)
            throw new DamagedRecordException($"content {sha} of bucket source '{layout.Name}' is {location.Size} bytes in the catalog, but {size} bytes were recorded for it", "the catalog or the index is damaged") { Remedy = new(RemedyAction.CheckRepository) };
        return await repository.OpenEnvelopeAsync(layout.PackKey(location.Pack), new ByteRange(location.Offset, location.Stored), size, sha.ToString(), cancellationToken);
    }

    /// <summary>
    /// Reads small contents given in pack order (by pack, then offset; a restore sorts its list so), each neighbourhood of
    /// blobs with one GET. Each content comes back whole and verified, or with the error that stopped it.
    /// </summary>
    public async IAsyncEnumerable<BlobRead> ReadInPackOrderAsync(IAsyncEnumerable<ContentLocation> locations, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(locations);
        var span = new List<ContentLocation>();
        await foreach (var location in locations.WithCancellation(cancellationToken))
        {
            if (span.Count > 0 && !Continues(span[^1], location))
            {
                await foreach (var read in ReadSpanAsync(span, cancellationToken))
                    yield return read;
                span.Clear();
            }

            span.Add(location);
        }

        await foreach (var read in ReadSpanAsync(span, cancellationToken))
            yield return read;
    }

    private static bool Continues(ContentLocation last, ContentLocation next) =>
        next.Pack == last.Pack && next.Offset >= last.Offset && next.Offset - last.End <= CoalesceGap;

    /// <summary>Reads blobs of one pack that lie close together with one ranged GET.</summary>
    private async IAsyncEnumerable<BlobRead> ReadSpanAsync(List<ContentLocation> span, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        if (span.Count == 0)
            yield break;
        var packKey = layout.PackKey(span[0].Pack);
        var start = span[0].Offset;
        var end = span.Max(l => l.End);
        Stream? stream = null;
        LifeboatException? failure = null;
        try
        {
            stream = await repository.Store.OpenReadAsync(packKey, new ByteRange(start, end - start), cancellationToken);
        }
        catch (LifeboatException e)
        {
            failure = e;
        }

        await using (stream)
        {
            var position = start;
            BlobRead? previous = null;
            foreach (var location in span)
            {
                // Two keys of one content come one after the other in pack order; the blob is read once.
                if (previous is not null && previous.Location == location)
                {
                    yield return previous with { Location = location };
                    continue;
                }

                if (location.Offset < position)
                    throw new ArgumentException($"contents must come in pack order; {location.Offset} in pack {location.Pack} came after {position}", nameof(span));
                var (content, error) = stream is null ? (null, failure) : await ReadOneAsync(stream, position, location, packKey, cancellationToken);
                position = location.End;
                previous = new BlobRead(location, content, error);
                yield return previous;
            }
        }
    }

    /// <summary>Reads the blob at <paramref name="location"/> from a span stream that stands at <paramref name="position"/>, and verifies it.</summary>
    private async Task<(byte[]? Content, LifeboatException? Error)> ReadOneAsync(Stream span, long position, ContentLocation location, string packKey, CancellationToken cancellationToken)
    {
        var gap = new byte[location.Offset - position];
        var sealedBytes = new byte[location.Stored];
        if (await span.ReadAtLeastAsync(gap, gap.Length, throwOnEndOfStream: false, cancellationToken) < gap.Length
            || await span.ReadAtLeastAsync(sealedBytes, sealedBytes.Length, throwOnEndOfStream: false, cancellationToken) < sealedBytes.Length)
        {
            return (null, Truncated(packKey, location));
        }

        var name = BackupRepository.EmbeddedName(packKey, new ByteRange(location.Offset, location.Stored));
        try
        {
            await using var opened = repository.OpenEnvelope(new MemoryStream(sealedBytes, writable: false), new StoredObject(name, "blob", location.Size, location.Stored, location.Sha256.ToString()));
            var content = new byte[location.Size];
            await opened.ReadExactlyAsync(content, cancellationToken);
            // Reading on to the end is what checks the length and SHA-256.
            if (await opened.ReadAsync(new byte[1], cancellationToken) != 0)
                return (null, Mismatch(name, location, "more"));
            return (content, null);
        }
        catch (EndOfStreamException)
        {
            return (null, Mismatch(name, location, "fewer"));
        }
        catch (LifeboatException e)
        {
            return (null, e);
        }
    }

    private static DamagedRecordException Mismatch(string name, ContentLocation location, string moreOrFewer) =>
        new($"blob {name} holds {moreOrFewer} than the {location.Size} bytes of content {location.Sha256}", "the pack was replaced or damaged")
        {
            Remedy = new(RemedyAction.CheckRepositoryData),
        };

    private DamagedRecordException Truncated(string packKey, ContentLocation location) =>
        new($"pack '{packKey}' ends before blob {location.Offset}+{location.Stored} of content {location.Sha256}", "the pack was cut short")
        {
            Remedy = new(RemedyAction.CheckRepositoryData),
        };

    private LifeboatException NotHeld(ContentDigest sha) =>
        new($"content {sha} of bucket source '{layout.Name}' is not in the repository's catalog", "the catalog segment naming it is missing or damaged")
        {
            Remedy = new(RemedyAction.CheckRepository),
        };
}
