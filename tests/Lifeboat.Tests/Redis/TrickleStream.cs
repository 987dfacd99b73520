namespace Lifeboat.Tests.Redis;

/// <summary>Gives at most <paramref name="piece"/> bytes per read, as a network stream may.</summary>
internal sealed class TrickleStream(byte[] data, int piece) : Lifeboat.IO.ReadOnlyStream
{
    private int _at;

    public override int Read(Span<byte> buffer)
    {
        var n = Math.Min(Math.Min(piece, buffer.Length), data.Length - _at);
        data.AsSpan(_at, n).CopyTo(buffer);
        _at += n;
        return n;
    }

    public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
        ValueTask.FromResult(Read(buffer.Span));
}
