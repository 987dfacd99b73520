using System.Buffers;
using System.Buffers.Binary;
using System.IO.Hashing;

namespace Lifeboat.Redis.Rdb;

/// <summary>
/// A forward-only, buffered reader of an RDB's bytes over pooled buffers. It keeps the CRC64 of every byte consumed and,
/// while capturing, copies the consumed bytes aside (a value's serialized form), in bulk as the buffer turns over, with
/// their own CRC64 and room after them for a DUMP footer, so the capture becomes a RESTORE payload in place.
/// Reads complete synchronously while the buffer holds the bytes asked for.
/// </summary>
internal sealed class RdbInput : IDisposable
{
    /// <summary>Bytes read from the stream at a time unless asked otherwise.</summary>
    public const int DefaultBufferSize = 1 << 20;

    private const int TrailerBytes = 8;

    // Capture buffers up to this size come from the pool. A larger one is allocated to the size the value needs (exactly,
    // when one string makes most of it) and let go when the next capture starts: one huge value then neither holds a
    // pooled power of two up to twice its size nor stays in the pool for the rest of the process.
    private const int PooledCaptureLimit = 16 << 20;

    // A capture left larger than this by the last value is given back when the next starts, so the next large value
    // grows from small and gets its exact size.
    private const int KeptCaptureLimit = 1 << 20;

    private readonly Stream _stream;
    private readonly int _bufferSize;
    private byte[] _buffer;
    private int _position;
    private int _end;
    private long _bufferOffset;
    private bool _endOfStream;

    private readonly bool _hashing;
    private readonly Crc64 _crc = RedisCrc64.Create();
    private int _crcFrom;

    private byte[] _capture = [];
    private int _captureLength;
    private int _captureFrom = -1;
    private readonly Crc64 _captureCrc = RedisCrc64.Create();

    /// <summary>
    /// Reads <paramref name="stream"/> <paramref name="bufferSize"/> bytes at a time; without <paramref name="hashing"/> no
    /// CRC64 is kept (<see cref="Crc"/> stays 0).
    /// </summary>
    public RdbInput(Stream stream, bool hashing = true, int bufferSize = DefaultBufferSize)
    {
        _stream = stream;
        _hashing = hashing;
        _bufferSize = bufferSize;
        _buffer = ArrayPool<byte>.Shared.Rent(bufferSize);
    }

    /// <summary>The offset of the next byte to be consumed.</summary>
    public long Offset => _bufferOffset + _position;

    /// <summary>
    /// The bytes buffered and not yet consumed: a synchronous fast path reads what it needs from here when it is all there
    /// (see <see cref="Advance"/>), and otherwise takes the asynchronous reads, which refill.
    /// </summary>
    public ReadOnlySpan<byte> Buffered => _buffer.AsSpan(_position, _end - _position);

    /// <summary>Consumes the first <paramref name="count"/> of the <see cref="Buffered"/> bytes (hashed and captured as any).</summary>
    public void Advance(int count)
    {
        if ((uint)count > (uint)(_end - _position))
            throw new ArgumentOutOfRangeException(nameof(count), count, "more than the buffered bytes");
        _position += count;
    }

    /// <summary>Consumes one byte.</summary>
    public ValueTask<byte> ReadByteAsync(CancellationToken cancellationToken) =>
        _position < _end ? new ValueTask<byte>(_buffer[_position++]) : ReadByteSlowAsync(cancellationToken);

    /// <summary>Consumes <paramref name="count"/> bytes (at most 8) and returns them, little-endian, as a number.</summary>
    public async ValueTask<ulong> ReadLittleEndianAsync(int count, CancellationToken cancellationToken)
    {
        await EnsureAsync(count, cancellationToken);
        Span<byte> bytes = stackalloc byte[8];
        bytes.Clear();
        _buffer.AsSpan(_position, count).CopyTo(bytes);
        _position += count;
        return BinaryPrimitives.ReadUInt64LittleEndian(bytes);
    }

    /// <summary>Consumes <paramref name="count"/> bytes (at most 8) and returns them, big-endian, as a number.</summary>
    public async ValueTask<ulong> ReadBigEndianAsync(int count, CancellationToken cancellationToken)
    {
        await EnsureAsync(count, cancellationToken);
        ulong value = 0;
        for (var i = 0; i < count; i++)
            value = (value << 8) | _buffer[_position + i];
        _position += count;
        return value;
    }

    /// <summary>Consumes <paramref name="count"/> bytes into a new array.</summary>
    public async ValueTask<byte[]> ReadBytesAsync(long count, CancellationToken cancellationToken)
    {
        if (count < 0)
            throw OutOfRange(count);
        if (count > Array.MaxLength)
            throw new RdbFormatException(Offset, $"a string of {count} bytes is longer than this reader holds");
        // A damaged length must not allocate gigabytes up front: the array grows with the bytes that actually come.
        var bytes = GC.AllocateUninitializedArray<byte>((int)Math.Min(count, _bufferSize));
        var done = 0;
        while (done < count)
        {
            if (_position == _end)
                await FillAsync(1, cancellationToken);
            if (done == bytes.Length)
                Array.Resize(ref bytes, (int)Math.Min(count, bytes.Length * 2L));
            var n = Math.Min(_end - _position, bytes.Length - done);
            _buffer.AsSpan(_position, n).CopyTo(bytes.AsSpan(done));
            _position += n;
            done += n;
        }

        return bytes;
    }

    /// <summary>Consumes <paramref name="count"/> bytes without looking at them (they are still hashed and captured).</summary>
    public ValueTask SkipAsync(long count, CancellationToken cancellationToken)
    {
        if (count < 0)
            throw OutOfRange(count);
        if (count <= _end - _position)
        {
            _position += (int)count;
            return ValueTask.CompletedTask;
        }

        return SkipSlowAsync(count, cancellationToken);
    }

    /// <summary>True when no byte follows the ones consumed.</summary>
    public async ValueTask<bool> AtEndAsync(CancellationToken cancellationToken)
    {
        if (_position < _end)
            return false;
        await TryFillAsync(1, cancellationToken);
        return _position == _end;
    }

    /// <summary>
    /// After a failure part way: stops any capture, consumes the rest of the stream, hashing all but its last 8 bytes,
    /// and returns the CRC64 of everything before those 8 with the 8 read as a number, as an RDB's trailer holds its
    /// checksum; null when fewer than 8 bytes were left. Tells a sound RDB this reader cannot read from a damaged one.
    /// </summary>
    public async ValueTask<(ulong Computed, ulong Stored)?> ReadToTrailerAsync(CancellationToken cancellationToken)
    {
        _captureFrom = -1;
        while (true)
        {
            await TryFillAsync(TrailerBytes + 1, cancellationToken);
            if (_end - _position <= TrailerBytes)
                break;
            _position = _end - TrailerBytes;
        }

        if (_end - _position < TrailerBytes)
            return null;
        var computed = Crc;
        var stored = BinaryPrimitives.ReadUInt64LittleEndian(_buffer.AsSpan(_position, TrailerBytes));
        _position += TrailerBytes;
        return (computed, stored);
    }

    /// <summary>The CRC64 of every byte consumed so far.</summary>
    public ulong Crc
    {
        get
        {
            HashConsumed();
            return _crc.GetCurrentHashAsUInt64();
        }
    }

    /// <summary>Starts copying consumed bytes aside after <paramref name="first"/>, forgetting what an earlier capture kept.</summary>
    public void StartCapture(byte first)
    {
        _captureLength = 0;
        if (_capture.Length > KeptCaptureLimit)
            ReleaseCapture();
        if (_capture.Length == 0)
            GrowCapture(1 + RdbDumpPayload.FooterBytes);
        _capture[0] = first;
        _captureLength = 1;
        _captureCrc.Reset();
        _captureCrc.Append([first]);
        _captureFrom = _position;
    }

    /// <summary>Consumes <paramref name="count"/> bytes, leaving them out of the capture under way.</summary>
    public async ValueTask SkipUncapturedAsync(int count, CancellationToken cancellationToken)
    {
        await EnsureAsync(count, cancellationToken);
        KeepCaptured();
        _position += count;
        _captureFrom = _position;
    }

    /// <summary>Ends the capture and returns the bytes consumed since it started (valid until the next capture starts).</summary>
    public ReadOnlyMemory<byte> EndCapture()
    {
        KeepCaptured();
        _captureFrom = -1;
        return _capture.AsMemory(0, _captureLength);
    }

    /// <summary>
    /// The DUMP payload, as RDB <paramref name="rdbVersion"/>, of what the capture just ended holds; the caller's to keep.
    /// The footer goes into the room kept after the captured bytes, with the CRC64 taken as they were captured. A large
    /// capture becomes the payload itself, and the next capture starts afresh: a value is held once, not copied again.
    /// A small one is copied out, its buffer kept for the next value.
    /// </summary>
    public ReadOnlyMemory<byte> TakeDumpPayload(int rdbVersion)
    {
        if (_captureLength > KeptCaptureLimit)
        {
            var held = _capture;
            _capture = [];
            return RdbDumpPayload.Seal(held, _captureLength, _captureCrc, rdbVersion);
        }

        var payload = GC.AllocateUninitializedArray<byte>(_captureLength + RdbDumpPayload.FooterBytes);
        _capture.AsSpan(0, _captureLength).CopyTo(payload);
        return RdbDumpPayload.Seal(payload, _captureLength, _captureCrc, rdbVersion);
    }

    public void Dispose()
    {
        ArrayPool<byte>.Shared.Return(_buffer);
        _buffer = [];
        ReleaseCapture();
    }

    // A length read as 64 bits past 2^63 arrives here negative; no RDB holds one.
    private RdbFormatException OutOfRange(long count) => new(Offset, $"a length of {(ulong)count} bytes is out of range");

    private ValueTask EnsureAsync(int count, CancellationToken cancellationToken) =>
        _end - _position >= count ? ValueTask.CompletedTask : FillAsync(count, cancellationToken);

    private async ValueTask<byte> ReadByteSlowAsync(CancellationToken cancellationToken)
    {
        await FillAsync(1, cancellationToken);
        return _buffer[_position++];
    }

    private async ValueTask SkipSlowAsync(long count, CancellationToken cancellationToken)
    {
        // The skip's length is known: room for it is made at once rather than grown as the buffer turns over.
        if (_captureFrom >= 0)
            EnsureCaptureRoom(_captureLength + (_position - _captureFrom) + count);
        while (count > 0)
        {
            if (_position == _end)
                await FillAsync(1, cancellationToken);
            var n = (int)Math.Min(_end - _position, count);
            _position += n;
            count -= n;
        }
    }

    /// <summary>Makes at least <paramref name="count"/> unconsumed bytes available, or throws at the stream's end.</summary>
    private async ValueTask FillAsync(int count, CancellationToken cancellationToken)
    {
        await TryFillAsync(count, cancellationToken);
        if (_end - _position < count)
            throw new RdbFormatException(_bufferOffset + _end, "it ends early") { Truncated = true };
    }

    private async ValueTask TryFillAsync(int count, CancellationToken cancellationToken)
    {
        Compact();
        while (_end - _position < count && !_endOfStream)
        {
            var n = await _stream.ReadAsync(_buffer.AsMemory(_end), cancellationToken);
            if (n == 0)
                _endOfStream = true;
            _end += n;
        }
    }

    /// <summary>Hashes and captures the consumed bytes, then moves the unconsumed ones to the buffer's start.</summary>
    private void Compact()
    {
        HashConsumed();
        KeepCaptured();
        var unconsumed = _end - _position;
        _buffer.AsSpan(_position, unconsumed).CopyTo(_buffer);
        _bufferOffset += _position;
        _position = 0;
        _end = unconsumed;
        _crcFrom = 0;
        if (_captureFrom >= 0)
            _captureFrom = 0;
    }

    private void HashConsumed()
    {
        if (_hashing)
            _crc.Append(_buffer.AsSpan(_crcFrom, _position - _crcFrom));
        _crcFrom = _position;
    }

    private void KeepCaptured()
    {
        if (_captureFrom < 0)
            return;
        var bytes = _buffer.AsSpan(_captureFrom, _position - _captureFrom);
        EnsureCaptureRoom(_captureLength + (long)bytes.Length);
        bytes.CopyTo(_capture.AsSpan(_captureLength));
        _captureCrc.Append(bytes);
        _captureLength += bytes.Length;
        _captureFrom = _position;
    }

    // Room for the captured bytes and, after them, the DUMP footer.
    private void EnsureCaptureRoom(long needed)
    {
        if (needed + RdbDumpPayload.FooterBytes > _capture.Length)
            GrowCapture(needed + RdbDumpPayload.FooterBytes);
    }

    // Growing by half at least keeps many small steps (a list of large elements) linear; a step larger than that takes
    // exactly what it needs.
    private void GrowCapture(long needed)
    {
        // A restore refuses such a value before it writes anything; this guards the reader's own bounds.
        if (needed > Array.MaxLength)
        {
            throw new RdbFormatException(Offset, $"a value of {needed - RdbDumpPayload.FooterBytes} bytes is longer than one RESTORE can carry ({RdbDumpPayload.LargestValue} at most)")
            {
                Unsupported = true,
            };
        }

        var size = (int)Math.Max(needed, Math.Min(Array.MaxLength, Math.Max(4096, _capture.Length * 3L / 2)));
        var grown = size <= PooledCaptureLimit ? ArrayPool<byte>.Shared.Rent(size) : GC.AllocateUninitializedArray<byte>(size);
        _capture.AsSpan(0, _captureLength).CopyTo(grown);
        ReleaseCapture();
        _capture = grown;
    }

    // A pooled capture goes back to the pool; a larger one is only let go (whoever holds the last value keeps it alive).
    private void ReleaseCapture()
    {
        if (_capture.Length is > 0 and <= PooledCaptureLimit)
            ArrayPool<byte>.Shared.Return(_capture);
        _capture = [];
    }
}
