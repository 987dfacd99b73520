using Lifeboat.Format;
using Lifeboat.Storage;

namespace Lifeboat.Repository;

/// <summary>
/// Envelopes that are not whole objects: a source may pack many envelopes into one object of its own layout and
/// read each back by its byte range. Every envelope is still sealed with this repository's data key, and each one
/// read back is verified against the length and SHA-256 the caller recorded for it.
/// </summary>
public sealed partial class BackupRepository
{
    /// <summary>
    /// Starts an envelope written into <paramref name="destination"/> (not owned, left open) with
    /// <paramref name="envelope"/>'s compression and chunking; the caller finishes it and places the bytes.
    /// </summary>
    public EnvelopeWriter CreateEnvelope(Stream destination, EnvelopeOptions envelope) => new(destination, _dataKey, envelope);

    /// <summary>
    /// Opens the envelope stored in <paramref name="range"/> of object <paramref name="key"/>; the stream fails at
    /// its end unless the plaintext has <paramref name="sizeBytes"/> bytes with SHA-256 <paramref name="sha256"/>.
    /// </summary>
    public async Task<Stream> OpenEnvelopeAsync(string key, ByteRange range, long sizeBytes, string sha256, CancellationToken cancellationToken)
    {
        if (range.Length is not { } storedBytes)
            throw new ArgumentException("an embedded envelope's range must give its length", nameof(range));
        var raw = await Store.OpenReadAsync(key, range, cancellationToken);
        return OpenEnvelope(raw, new StoredObject(EmbeddedName(key, range), "blob", sizeBytes, storedBytes, sha256));
    }

    /// <summary>
    /// Opens one envelope that <paramref name="sealedBytes"/> holds whole (owned by the returned stream), verified at
    /// its end against <paramref name="expected"/>, whose key names it in errors.
    /// </summary>
    public Stream OpenEnvelope(Stream sealedBytes, StoredObject expected)
    {
        ArgumentNullException.ThrowIfNull(expected);
        return new VerifiedObjectStream(new EnvelopeReader(sealedBytes, KeyById, expected.Key), sealedBytes, expected);
    }

    /// <summary>
    /// Opens an envelope that <paramref name="sealedBytes"/> holds whole (not owned) and that no record describes (a
    /// pack's own table): each chunk is proven authentic and the envelope complete, but not which envelope it is.
    /// </summary>
    public Stream OpenUnlistedEnvelope(Stream sealedBytes, string name) => new EnvelopeReader(sealedBytes, KeyById, name);

    /// <summary>How an embedded envelope is named in errors: its object and where in it.</summary>
    public static string EmbeddedName(string key, ByteRange range) => $"{key} at bytes {range.Offset}+{range.Length}";
}
