using Lifeboat.Format;
using Lifeboat.Storage;

namespace Lifeboat.Repository;

/// <summary>An object being written through the envelope; nothing is visible until <see cref="CompleteAsync"/>.</summary>
public sealed class EncryptedObjectWriter : IAsyncDisposable
{
    private readonly ObjectUpload _upload;
    private readonly EnvelopeWriter _envelope;
    private readonly string _role;

    internal EncryptedObjectWriter(ObjectUpload upload, EnvelopeWriter envelope, string role)
    {
        _upload = upload;
        _envelope = envelope;
        _role = role;
    }

    /// <summary>Where plaintext goes.</summary>
    public Stream Stream => _envelope;

    /// <summary>Plaintext bytes written so far.</summary>
    public long PlaintextBytes => _envelope.PlaintextBytes;

    /// <summary>Seals the envelope and makes the object durable and visible.</summary>
    public async Task<StoredObject> CompleteAsync(CancellationToken cancellationToken)
    {
        await _envelope.FinishAsync(cancellationToken);
        await _upload.CompleteAsync(cancellationToken);
        return new StoredObject(_upload.Key, _role, _envelope.PlaintextBytes, _envelope.StoredBytes, _envelope.PlaintextSha256);
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        await _envelope.DisposeAsync();
        await _upload.DisposeAsync();
    }
}
