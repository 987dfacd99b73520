using System.Globalization;
using System.Text;

namespace Lifeboat.Redis.Rdb;

/// <summary>
/// Reads an RDB as it streams, entry by entry, walking each value to its end without building it, and checks the
/// CRC64 trailer at the end. Memory stays within the largest single value (values are kept only when asked for).
/// </summary>
public sealed class RdbReader : IDisposable
{
    /// <summary>The newest RDB version this reader knows (Redis 7.4 writes 12).</summary>
    public const int NewestVersion = 12;

    private const int FirstVersionWithChecksum = 5;
    private const int MillisecondsPerSecond = 1000;
    private const string DamagedHint = "the stored RDB is damaged or incomplete: restore from another backup";
    private const string UnsupportedHint = "the RDB holds what this reader cannot read: restore it as a file instead, for a Redis that can load it";
    private static readonly byte[] Magic = "REDIS"u8.ToArray();

    private readonly RdbInput _input;
    private readonly RdbValueWalker _walker;
    private readonly string _name;
    private readonly bool _keepValues;
    private readonly bool _verifyChecksum;
    private readonly RdbReusedBytes _keyBytes = new();
    private int _db;
    private ReadOnlyMemory<byte>? _currentKey;
    private string? _redisVersion;
    private bool _ended;

    private RdbReader(RdbInput input, string name, int version, bool keepValues, bool verifyChecksum)
    {
        _verifyChecksum = verifyChecksum;
        _input = input;
        _name = name;
        Version = version;
        _keepValues = keepValues;
        _walker = new RdbValueWalker(input, version);
    }

    /// <summary>The RDB version from the header.</summary>
    public int Version { get; }

    /// <summary>How many bytes have been read.</summary>
    public long Offset => _input.Offset;

    /// <summary>Once the end was read: the CRC64 the RDB carries, or null when it was written without one.</summary>
    public ulong? Checksum { get; private set; }

    /// <summary>Reads the header of the RDB in <paramref name="stream"/>, to be read with its checksum verified.</summary>
    public static Task<RdbReader> OpenAsync(Stream stream, string name, bool keepValues, CancellationToken cancellationToken) =>
        OpenAsync(stream, name, keepValues, verifyChecksum: true, cancellationToken);

    /// <summary>
    /// Reads the header of the RDB in <paramref name="stream"/>; <paramref name="name"/> says which RDB in messages
    /// ("the RDB of backup 20250101T…"). With <paramref name="keepValues"/> each key comes with its serialized value.
    /// Without <paramref name="verifyChecksum"/> the CRC64 trailer is read but not checked, for a caller that checks it
    /// on the same bytes already (hashing is most of the reader's work).
    /// </summary>
    public static async Task<RdbReader> OpenAsync(
        Stream stream, string name, bool keepValues, bool verifyChecksum, CancellationToken cancellationToken, int bufferSize = RdbInput.DefaultBufferSize)
    {
        var input = new RdbInput(stream, hashing: verifyChecksum, bufferSize);
        try
        {
            var version = await ReadHeaderAsync(input, name, cancellationToken);
            return new RdbReader(input, name, version, keepValues, verifyChecksum);
        }
        catch
        {
            input.Dispose();
            throw;
        }
    }

    /// <summary>
    /// The next entry, or null after the end marker, once the checksum matched and nothing follows. Throws a
    /// <see cref="LifeboatException"/> saying where and what when the RDB is truncated, damaged or holds what this
    /// reader cannot read.
    /// </summary>
    public ValueTask<RdbEntry?> ReadAsync(CancellationToken cancellationToken) => ReadAsync(tally: null, cancellationToken);

    /// <summary>
    /// Reads to the end, checking what <see cref="ReadAsync(CancellationToken)"/> checks and failing as it fails, and
    /// returns each database's keys and keys with an expiry. No entry is made for a key: its bytes go into one reused array
    /// and its value is walked, so counting allocates nothing per key.
    /// </summary>
    public async Task<IReadOnlyList<RedisKeyspace>> CountKeysAsync(CancellationToken cancellationToken)
    {
        var tally = new RdbKeyTally();
        while (await ReadAsync(tally, cancellationToken) is not null)
        {
        }

        return tally.Keyspace();
    }

    /// <summary>Reads to the end, checking structure and checksum, and counts the keys.</summary>
    public async Task<long> ReadToEndAsync(CancellationToken cancellationToken) =>
        (await CountKeysAsync(cancellationToken)).Sum(d => d.Keys);

    /// <summary>
    /// The DUMP payload, as RDB <paramref name="rdbVersion"/>, of the key just read, made from its value where the reader
    /// holds it (a large value is not copied again); the caller's to keep. Only for a reader that keeps values.
    /// </summary>
    public ReadOnlyMemory<byte> TakeDumpPayload(int rdbVersion) =>
        _keepValues ? _input.TakeDumpPayload(rdbVersion) : throw new InvalidOperationException("the reader keeps no values");

    /// <summary>Returns the buffers to the pool.</summary>
    public void Dispose() => _input.Dispose();

    // With a tally, keys are counted into it and passed over: only the entries that are no key come back.
    private async ValueTask<RdbEntry?> ReadAsync(RdbKeyTally? tally, CancellationToken cancellationToken)
    {
        if (_ended)
            return null;
        try
        {
            return await ReadEntryAsync(tally, cancellationToken);
        }
        catch (RdbFormatException e)
        {
            throw await FailureAsync(e, cancellationToken);
        }
    }

    private async ValueTask<RdbEntry?> ReadEntryAsync(RdbKeyTally? tally, CancellationToken cancellationToken)
    {
        _currentKey = null;
        long? expireAt = null;
        ulong? idle = null;
        byte? frequency = null;
        while (true)
        {
            var offset = _input.Offset;
            var code = await _input.ReadByteAsync(cancellationToken);
            switch (code)
            {
                case RdbOpcode.Eof:
                    await ReadTrailerAsync(cancellationToken);
                    return null;
                case RdbOpcode.SelectDb:
                    var db = await _input.ReadCountAsync(cancellationToken);
                    if (db > int.MaxValue)
                        throw new RdbFormatException(offset, $"database {db} is out of range");
                    _db = (int)db;
                    return new RdbDatabaseSelected(_db);
                case RdbOpcode.ResizeDb:
                    var keys = (long)await _input.ReadCountAsync(cancellationToken);
                    var expires = (long)await _input.ReadCountAsync(cancellationToken);
                    return new RdbDatabaseSize(_db, keys, expires);
                case RdbOpcode.Aux:
                    return ReadAux(
                        Encoding.UTF8.GetString(await _input.ReadStringAsync(cancellationToken)),
                        await _input.ReadStringAsync(cancellationToken));
                case RdbOpcode.SlotInfo:
                    // rdbLoadRio: slot id, its keys, its keys with an expiry; a hint for sizing a cluster node's tables.
                    for (var i = 0; i < 3; i++)
                        await _input.ReadCountAsync(cancellationToken);
                    break;
                case RdbOpcode.Function2:
                    return new RdbFunctionLibrary(await _input.ReadStringAsync(cancellationToken));
                case RdbOpcode.FunctionPreGa:
                    throw new RdbFormatException(offset, "it holds functions in the format of a Redis 7.0 release candidate, which cannot be read");
                case RdbOpcode.ModuleAux:
                    return await ReadModuleAuxAsync(offset, cancellationToken);
                case RdbOpcode.ExpireTimeMs:
                    expireAt = (long)await ReadTimeAsync(8, cancellationToken);
                    break;
                case RdbOpcode.ExpireTime:
                    expireAt = (long)await ReadTimeAsync(4, cancellationToken) * MillisecondsPerSecond;
                    break;
                case RdbOpcode.Idle:
                    idle = await _input.ReadCountAsync(cancellationToken);
                    break;
                case RdbOpcode.Freq:
                    frequency = await _input.ReadByteAsync(cancellationToken);
                    break;
                default:
                    if (tally is not null)
                    {
                        await SkimKeyValueAsync(code, offset, cancellationToken);
                        tally.Add(_db, expireAt is not null);
                        (_currentKey, expireAt, idle, frequency) = (null, null, null, null);
                        break;
                    }

                    var key = await ReadKeyValueAsync(code, offset, expireAt, cancellationToken);
                    return idle is null && frequency is null ? key : key with { IdleSeconds = idle, Frequency = frequency };
            }
        }
    }

    private async ValueTask<RdbKeyValue> ReadKeyValueAsync(byte type, long typeOffset, long? expireAt, CancellationToken cancellationToken)
    {
        CheckKnownType(type, typeOffset);
        var key = await _input.ReadStringAsync(cancellationToken);
        _currentKey = key;
        var valueStart = _input.Offset;
        if (!_keepValues)
        {
            var module = await _walker.WalkAsync(type, typeOffset, cancellationToken);
            return new RdbKeyValue(_db, key, expireAt, type, ReadOnlyMemory<byte>.Empty) { SerializedLength = 1 + _input.Offset - valueStart, Module = module };
        }

        // The type byte came before the key: the capture starts with it, then the value's encoding.
        _input.StartCapture(type);
        var ofModule = await _walker.WalkAsync(type, typeOffset, cancellationToken);
        var value = _input.EndCapture();
        return new RdbKeyValue(_db, key, expireAt, type, value) { SerializedLength = value.Length, Module = ofModule };
    }

    // A key being counted: read into the reused array (for messages), its value walked, nothing kept.
    private async ValueTask SkimKeyValueAsync(byte type, long typeOffset, CancellationToken cancellationToken)
    {
        CheckKnownType(type, typeOffset);
        await _input.ReadStringAsync(_keyBytes, cancellationToken);
        _currentKey = _keyBytes.Memory;
        await _walker.WalkAsync(type, typeOffset, cancellationToken);
    }

    // Before the key: a byte that is no type at all stops the reading there.
    private static void CheckKnownType(byte type, long typeOffset)
    {
        if (RdbType.IntroducedIn(type) is null)
            throw new RdbFormatException(typeOffset, $"byte 0x{type:x2} is neither an opcode nor a value type this reader knows");
    }

    private RdbAuxField ReadAux(string name, byte[] value)
    {
        if (name == "redis-ver")
            _redisVersion = Encoding.UTF8.GetString(value);
        return new RdbAuxField(name, value);
    }

    private async ValueTask<RdbModuleAuxData> ReadModuleAuxAsync(long offset, CancellationToken cancellationToken)
    {
        var moduleId = await _input.ReadCountAsync(cancellationToken);
        await _input.ReadCountAsync(cancellationToken); // when-opcode
        await _input.ReadCountAsync(cancellationToken); // when
        await RdbModuleData.SkipAsync(_input, offset, cancellationToken);
        return new RdbModuleAuxData(RdbModuleName.Of(moduleId));
    }

    // Before RDB 9 Redis wrote times in the host's byte order; the hosts it ran on in practice were little-endian.
    private ValueTask<ulong> ReadTimeAsync(int bytes, CancellationToken cancellationToken) =>
        _input.ReadLittleEndianAsync(bytes, cancellationToken);

    private async ValueTask ReadTrailerAsync(CancellationToken cancellationToken)
    {
        if (Version >= FirstVersionWithChecksum)
        {
            var computed = _input.Crc;
            var trailerOffset = _input.Offset;
            var stored = await _input.ReadLittleEndianAsync(8, cancellationToken);
            if (_verifyChecksum && stored != 0 && stored != computed)
                throw new RdbFormatException(trailerOffset, $"its checksum fails: the RDB says {stored:x16}, its bytes give {computed:x16}") { Damaged = true };
            Checksum = stored == 0 ? null : stored;
        }

        var end = _input.Offset;
        if (!await _input.AtEndAsync(cancellationToken))
            throw new RdbFormatException(end, "bytes follow its end marker and checksum") { Damaged = true };
        _ended = true;
    }

    /// <summary>
    /// The failure worded by what the checksum says of the bytes: what cannot be read in an RDB whose checksum is right
    /// is no damage but something newer (or a module's) than this reader knows; "damaged" is said only when the checksum
    /// fails, or when there is none to tell.
    /// </summary>
    private async ValueTask<LifeboatException> FailureAsync(RdbFormatException e, CancellationToken cancellationToken)
    {
        var at = $"at byte {N(e.Offset)}{(_currentKey is null ? "" : $" in the value of key {RdbKeyText.Quote(_currentKey.Value.Span)} (database {N(_db)})")}";
        if (e.Truncated)
            return new LifeboatException($"{_name} is truncated: it ends {at}", DamagedHint, inner: e);
        var message = $"{_name} cannot be read {at}: {e.Message}";
        return await ChecksumOfRestAsync(e, cancellationToken) switch
        {
            Verdict.Fails when !e.Damaged => new LifeboatException($"{message}; its checksum fails as well", DamagedHint, inner: e),
            Verdict.Matches when !e.Unsupported => new LifeboatException(
                $"{message}; its checksum is right, so this is no damage but a format newer than this reader knows (RDB version {N(Version)}{(_redisVersion is null ? "" : $", written by Redis {_redisVersion}")})",
                "use a Lifeboat release that reads this Redis version, or restore the RDB as a file, for a Redis that can load it",
                inner: e)
            {
                Remedy = new(RemedyAction.RestoreToFile),
            },
            not Verdict.Fails when e.Unsupported => new LifeboatException(message, UnsupportedHint, inner: e) { Remedy = new(RemedyAction.RestoreToFile) },
            _ => new LifeboatException(message, DamagedHint, inner: e),
        };
    }

    /// <summary>What the checksum says of an RDB that failed to read at <paramref name="e"/>: the rest is read to its trailer to tell.</summary>
    private async ValueTask<Verdict> ChecksumOfRestAsync(RdbFormatException e, CancellationToken cancellationToken)
    {
        if (e.Damaged)
            return Verdict.Fails;
        if (Version < FirstVersionWithChecksum)
            return Verdict.Absent;
        if (!_verifyChecksum)
            return Verdict.Unknown;
        if (await _input.ReadToTrailerAsync(cancellationToken) is not { } crc)
            return Verdict.Unknown;
        if (crc.Stored == 0)
            return Verdict.Absent;
        return crc.Stored == crc.Computed ? Verdict.Matches : Verdict.Fails;
    }

    private static string N(long value) => value.ToString(CultureInfo.InvariantCulture);

    private static async ValueTask<int> ReadHeaderAsync(RdbInput input, string name, CancellationToken cancellationToken)
    {
        byte[] header;
        try
        {
            header = await input.ReadBytesAsync(9, cancellationToken);
        }
        catch (RdbFormatException e)
        {
            throw new LifeboatException($"{name} is not an RDB: it is shorter than the 9-byte header", "restore from another backup", inner: e);
        }

        if (!header.AsSpan(0, 5).SequenceEqual(Magic)
            || !int.TryParse(Encoding.ASCII.GetString(header, 5, 4), NumberStyles.None, CultureInfo.InvariantCulture, out var version))
            throw new LifeboatException($"{name} is not an RDB: it does not start with REDIS and a 4-digit version", "restore from another backup");
        if (version is < 1 or > NewestVersion)
            throw new LifeboatException(
                $"{name} has RDB version {version.ToString(CultureInfo.InvariantCulture)}, which this reader does not know (it reads 1 to {NewestVersion.ToString(CultureInfo.InvariantCulture)})",
                "use a Lifeboat release that knows this Redis version");
        return version;
    }

    private enum Verdict
    {
        /// <summary>The checksum fails: the bytes are damaged.</summary>
        Fails,

        /// <summary>The checksum is right: the bytes are as Redis wrote them.</summary>
        Matches,

        /// <summary>The RDB was written without a checksum (rdbchecksum no, or before RDB 5).</summary>
        Absent,

        /// <summary>Not known: the checksum is left to the caller, or the RDB ends before its trailer.</summary>
        Unknown,
    }
}
