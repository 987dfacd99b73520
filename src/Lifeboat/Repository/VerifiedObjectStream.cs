using Lifeboat.Format;

namespace Lifeboat.Repository;

/// <summary>
/// Reads an enveloped object and, at its end, checks length and SHA-256 against the manifest,
/// so an object swapped for another one (each authentic on its own) is still caught.
/// </summary>
internal sealed class VerifiedObjectStream(EnvelopeReader reader, Stream raw, StoredObject expected) : ReadOnlyStream
{
    private bool _verified;

    public override long Length => expected.SizeBytes;
    public override long Position => reader.PlaintextBytes;

    public override int Read(Span<byte> buffer) => Checked(reader.Read(buffer), buffer.Length);

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
        Checked(await reader.ReadAsync(buffer, cancellationToken), buffer.Length);

    // Only a read that asked for bytes and got none means the end; an empty buffer returns 0 anywhere.
    private int Checked(int read, int asked)
    {
        if (read == 0 && asked > 0)
            Verify();
        return read;
    }

    private void Verify()
    {
        if (_verified)
            return;
        if (reader.PlaintextBytes != expected.SizeBytes || !string.Equals(reader.PlaintextSha256, expected.Sha256, StringComparison.Ordinal))
        {
            throw new LifeboatException(
                $"object '{expected.Key}' does not match its manifest: {reader.PlaintextBytes} bytes with SHA-256 {reader.PlaintextSha256}, expected {expected.SizeBytes} bytes with {expected.Sha256}",
                "the object was replaced or damaged; restore from another backup")
            {
                Remedy = new(RemedyAction.CheckRepositoryData),
            };
        }

        _verified = true;
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            reader.Dispose();
            raw.Dispose();
        }

        base.Dispose(disposing);
    }

    public override async ValueTask DisposeAsync()
    {
        await reader.DisposeAsync();
        await raw.DisposeAsync();
        await base.DisposeAsync();
    }
}
