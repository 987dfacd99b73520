using System.Buffers.Binary;
using System.IO.Hashing;
using System.Text;

namespace Lifeboat.Redis;

/// <summary>
/// Passes an RDB through unchanged while checking its envelope as it streams: the header ("REDIS" and a four-digit
/// version, newer ones than Lifeboat reads included) as soon as its nine bytes are in, and at the end the end-of-file
/// opcode (0xFF) followed by the little-endian CRC-64 of every byte before it (0 when the server wrote it with checksums
/// off). The read that
/// reaches the end throws when the end is wrong, so a consumer copying to the end never takes a bad RDB for a good one.
/// Memory is constant: only the last eight bytes are held back from the checksum. The inner stream is not owned.
/// </summary>
public sealed class RdbCheckingStream : ReadOnlyStream
{
    private const int HeaderLength = 9;
    private const int ChecksumLength = 8;
    private const byte EofOpcode = 0xFF;

    // RDB 5 (Redis 2.6) added the checksum; older files end with the 0xFF opcode alone.
    private const int FirstVersionWithChecksum = 5;

    private readonly Stream _inner;
    private readonly string _what;
    private readonly string _hint;
    private readonly byte[] _header = new byte[HeaderLength];
    private readonly byte[] _held = new byte[ChecksumLength];
    private int _heldCount;
    private readonly Crc64 _crc = RedisCrc64.Create();
    private byte? _lastHashed;
    private bool _ended;

    /// <summary>Checks <paramref name="inner"/>; errors call it <paramref name="what"/> ("the RDB sent by …") and advise <paramref name="hint"/>.</summary>
    public RdbCheckingStream(Stream inner, string what, string hint)
    {
        _inner = inner;
        _what = what;
        _hint = hint;
    }

    /// <summary>The RDB version from the header; null until its nine bytes have passed.</summary>
    public int? Version { get; private set; }

    /// <summary>Bytes passed so far.</summary>
    public long BytesRead { get; private set; }

    /// <summary>True once the end has passed and checked out.</summary>
    public bool Verified { get; private set; }

    /// <summary>The CRC-64 the trailer records, once verified; null when the RDB was written with checksums off (or predates them).</summary>
    public ulong? Checksum { get; private set; }

    /// <summary>Reads <paramref name="rdb"/> to its end through a check and returns what it found; throws as the check does.</summary>
    public static async Task<RdbCheckingStream> VerifyAsync(Stream rdb, string what, string hint, CancellationToken cancellationToken)
    {
        var check = new RdbCheckingStream(rdb, what, hint);
        await check.CopyToAsync(Stream.Null, 1 << 20, cancellationToken);
        return check;
    }

    /// <inheritdoc />
    public override int Read(Span<byte> buffer)
    {
        if (_ended || buffer.IsEmpty)
            return 0;
        var read = _inner.Read(buffer);
        Pass(buffer[..read]);
        return read;
    }

    /// <inheritdoc />
    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        if (_ended || buffer.IsEmpty)
            return 0;
        var read = await _inner.ReadAsync(buffer, cancellationToken);
        Pass(buffer.Span[..read]);
        return read;
    }

    private void Pass(ReadOnlySpan<byte> data)
    {
        if (data.IsEmpty)
        {
            _ended = true;
            CheckEnd();
            return;
        }

        TakeHeader(data);
        BytesRead += data.Length;
        HoldBackLastEight(data);
    }

    private void TakeHeader(ReadOnlySpan<byte> data)
    {
        if (BytesRead >= HeaderLength)
            return;
        var taken = (int)Math.Min(HeaderLength - BytesRead, data.Length);
        data[..taken].CopyTo(_header.AsSpan((int)BytesRead));
        if (BytesRead + taken == HeaderLength)
            Version = ParseHeader();
    }

    private int ParseHeader()
    {
        if (!_header.AsSpan(0, 5).SequenceEqual("REDIS"u8) || _header.AsSpan(5).IndexOfAnyExceptInRange((byte)'0', (byte)'9') >= 0)
            throw Damaged($"{_what} is not an RDB: it begins with {Printable(_header)}, not 'REDIS' and a four-digit version");
        var version = int.Parse(Encoding.ASCII.GetString(_header, 5, 4), System.Globalization.CultureInfo.InvariantCulture);
        // A newer version (after a Redis upgrade) passes: the envelope is the same, the checksum vouches for the bytes,
        // and what reads them (the key count, a restore into a server) says itself what it cannot read.
        if (version < 1)
            throw Damaged($"{_what} is RDB version {version}, which no Redis writes");

        return version;
    }

    // The last eight bytes may be the checksum, which is not part of what it covers: they are hashed only once more follow.
    private void HoldBackLastEight(ReadOnlySpan<byte> data)
    {
        var release = _heldCount + data.Length - ChecksumLength;
        if (release <= 0)
        {
            data.CopyTo(_held.AsSpan(_heldCount));
            _heldCount += data.Length;
            return;
        }

        var fromHeld = Math.Min(release, _heldCount);
        Hash(_held.AsSpan(0, fromHeld));
        var fromData = release - fromHeld;
        Hash(data[..fromData]);
        _held.AsSpan(fromHeld, _heldCount - fromHeld).CopyTo(_held);
        _heldCount -= fromHeld;
        data[fromData..].CopyTo(_held.AsSpan(_heldCount));
        _heldCount += data.Length - fromData;
    }

    private void Hash(ReadOnlySpan<byte> data)
    {
        if (data.IsEmpty)
            return;
        _crc.Append(data);
        _lastHashed = data[^1];
    }

    private void CheckEnd()
    {
        if (Version is not { } version)
            throw Damaged($"{_what} is truncated: it ends after {BytesRead} bytes, before the end of the RDB header");
        if (version < FirstVersionWithChecksum)
        {
            if (_heldCount == 0 || _held[_heldCount - 1] != EofOpcode)
                throw Truncated();
            Verified = true;
            return;
        }

        if (_heldCount < ChecksumLength || _lastHashed != EofOpcode || BytesRead < HeaderLength + 1 + ChecksumLength)
            throw Truncated();
        var recorded = BinaryPrimitives.ReadUInt64LittleEndian(_held);
        var computed = _crc.GetCurrentHashAsUInt64();
        if (recorded != 0 && recorded != computed)
            throw Damaged($"{_what} fails its CRC64 check: its trailer records {recorded:x16}, its {BytesRead - ChecksumLength} bytes hash to {computed:x16}");
        Checksum = recorded == 0 ? null : recorded;
        Verified = true;
    }

    private LifeboatException Truncated() =>
        Damaged($"{_what} is truncated or damaged: its {BytesRead} bytes do not end with the RDB end-of-file marker (0xFF and the CRC64)");

    private LifeboatException Damaged(string message) => new(message, _hint);

    private static string Printable(ReadOnlySpan<byte> bytes)
    {
        var text = new StringBuilder("'");
        foreach (var b in bytes)
            text.Append(b is >= 0x20 and < 0x7f and not (byte)'\\' and not (byte)'\'' ? ((char)b).ToString() : $"\\x{b:x2}");
        return text.Append('\'').ToString();
    }
}
