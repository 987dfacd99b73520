using System.Buffers.Binary;
using System.Numerics;
using System.Text;

namespace Lifeboat.Postgres.Wal;

/// <summary>
/// Reads a WAL segment as it streams past, page by page, and notes its commits, the transactions that ended in it and
/// its restore points: what recovery targets are named by. Memory is one page, a bounded prefix of the current record
/// and a bounded set of transaction id ranges, whatever the segment size.
/// </summary>
/// <remarks>
/// Only what the archive needs is decoded: the page headers (to follow records across pages and find where valid
/// WAL ends) and the main data of transaction commits, aborts and restore points, which carry no block references. A
/// record that begins in an earlier segment is skipped; a commit that runs on into the next is not counted here (its
/// segment's successor does not carry its header either), which can only make the recorded window narrower, never
/// wider. A transaction end that runs on into the next segment is noted apart: recovery reads it only with that segment.
/// </remarks>
public sealed class WalSegmentScanner
{
    private const int RecordHeaderSize = 24;
    private const int SmallRecordPrefix = 256;
    private const int LargeRecordPrefix = 1 << 20;

    private const byte XlogResourceManager = 0;
    private const byte TransactionResourceManager = 1;
    private const byte XlogSwitch = 0x40;
    private const byte XlogRestorePoint = 0x70;
    private const byte TransactionOperationMask = 0x70;
    private const byte TransactionCommit = 0x00;
    private const byte TransactionAbort = 0x20;
    private const byte TransactionCommitPrepared = 0x30;
    private const byte TransactionAbortPrepared = 0x40;
    private const byte TransactionHasInfo = 0x80;

    private static readonly DateTimeOffset PostgresEpoch = new(2000, 1, 1, 0, 0, 0, TimeSpan.Zero);

    private readonly string _fileName;
    private byte[] _page = new byte[WalPageHeader.LongSize];
    private int _pageFill;
    private long _pageIndex;
    private WalPageHeader? _first;
    private bool _ended;
    private long _validBytes;
    private long _lastRecordStart;

    private byte[] _record = new byte[SmallRecordPrefix];
    private int _recordKept;
    private long _recordReceived;
    private uint _recordLength;
    private ulong _recordStart;
    private bool _inRecord;
    private uint _recordCrc;

    private long _commits;
    private WalCommit? _firstCommit;
    private WalCommit? _lastCommit;
    private readonly List<WalRestorePoint> _restorePoints = [];
    private readonly TransactionIdRangesBuilder _transactionsEnded = new();

    /// <summary>Starts reading the file <paramref name="fileName"/> (named in errors).</summary>
    public WalSegmentScanner(string fileName) => _fileName = fileName;

    /// <summary>The segment's first page header, once its first bytes have been read.</summary>
    public WalPageHeader? Header => _first;

    /// <summary>Reads the next bytes of the segment; fails when its first page is not a WAL segment's.</summary>
    public void Append(ReadOnlySpan<byte> data)
    {
        while (data.Length > 0)
        {
            var room = _page.Length - _pageFill;
            var take = Math.Min(room, data.Length);
            data[..take].CopyTo(_page.AsSpan(_pageFill));
            _pageFill += take;
            data = data[take..];
            if (_pageFill < _page.Length)
                return;
            if (_first is null)
            {
                StartSegment();
                continue;
            }

            if (!_ended)
                ReadPage(_page);
            _pageIndex++;
            _pageFill = 0;
        }
    }

    /// <summary>What the segment held; a segment too short for its first page header is not a WAL segment.</summary>
    public WalSegmentSummary Complete()
    {
        if (_first is null)
            throw Invalid($"it is {_pageFill} bytes long, shorter than a WAL page header");
        return new WalSegmentSummary(_first, _commits, _firstCommit, _lastCommit, _restorePoints, _validBytes, _transactionsEnded.Build(), EndRunningOn(), _lastRecordStart);
    }

    // The record still open when the segment's bytes ran out, valid so far, is read on in the next segment: if its
    // header (or, of a prepared transaction, its main data) is here, the transaction it ends is known now. Its
    // checksum cannot be verified yet; the planner trusts it only when the next segment is archived too.
    private uint? EndRunningOn() =>
        _inRecord && !_ended ? TransactionEndedBy(_record.AsSpan(0, _recordKept)) : null;

    private void StartSegment()
    {
        var header = WalPageHeader.Read(_page) ?? throw Invalid("its first page header is incomplete");
        if (!header.IsLong)
            throw Invalid("its first page has no long header");
        if (header.MajorVersion is null)
            throw Invalid($"its WAL format mark 0x{header.Magic:X4} is not one of PostgreSQL 13 to 17");
        if (!IsPowerOfTwo(header.BlockSize, 1 << 10, 1 << 16) || !IsPowerOfTwo(header.SegmentSize, 1 << 20, 1 << 30))
            throw Invalid($"its header gives page size {header.BlockSize} and segment size {header.SegmentSize}");
        if (header.PageAddress % header.SegmentSize != 0)
            throw Invalid($"its first page is at position {Lsn(header.PageAddress)}, not at a segment start");
        _first = header;
        Array.Resize(ref _page, (int)header.BlockSize);
    }

    private void ReadPage(ReadOnlySpan<byte> page)
    {
        var pageAddress = _first!.PageAddress + (ulong)(_pageIndex * page.Length);
        var header = WalPageHeader.Read(page);
        // A page from an earlier use of a recycled file, or never written: valid WAL ended before it.
        if (header is null || header.Magic != _first.Magic || header.PageAddress != pageAddress || (_pageIndex == 0) != header.IsLong)
        {
            _ended = true;
            return;
        }

        var position = header.Size;
        if ((header.Flags & WalPageHeader.FirstIsContinuation) != 0)
        {
            var continued = (int)Math.Min(header.RemainingLength, (uint)(page.Length - position));
            if (_inRecord && _recordLength - _recordReceived == header.RemainingLength)
                AddToRecord(page.Slice(position, continued));
            else
                _inRecord = false; // a record begun in an earlier segment, or one that does not fit: skipped
            position += continued;
            if (position >= page.Length)
                return;
        }
        else if (_inRecord && (header.Flags & WalPageHeader.FirstIsOverwriteContinuation) != 0)
        {
            // After a crash the server abandoned the torn record and went on writing here (PostgreSQL 15's
            // XLOG_OVERWRITE_CONTRECORD): drop it and read on, as PostgreSQL's own reader does.
            _inRecord = false;
        }
        else if (_inRecord)
        {
            // The record was never finished: valid WAL ends in the middle of it.
            _ended = true;
            return;
        }

        ReadRecords(page, pageAddress, Align(position));
    }

    private void ReadRecords(ReadOnlySpan<byte> page, ulong pageAddress, int position)
    {
        while (!_ended && position + sizeof(uint) <= page.Length)
        {
            var length = BinaryPrimitives.ReadUInt32LittleEndian(page[position..]);
            if (length < RecordHeaderSize)
            {
                // Zeros where the next record would start: the end of valid WAL.
                _ended = true;
                return;
            }

            StartRecord(pageAddress + (ulong)position, length);
            var available = (int)Math.Min(length, (uint)(page.Length - position));
            AddToRecord(page.Slice(position, available));
            if (_inRecord)
                return;
            position = Align(position + (int)length);
        }
    }

    private void StartRecord(ulong start, uint length)
    {
        _inRecord = true;
        _recordStart = start;
        _recordLength = length;
        _recordReceived = 0;
        _recordKept = 0;
        _recordCrc = uint.MaxValue;
    }

    private void AddToRecord(ReadOnlySpan<byte> bytes)
    {
        var keep = Math.Min(bytes.Length, KeptLimit(bytes) - _recordKept);
        if (keep > 0)
        {
            if (_record.Length < _recordKept + keep)
                Array.Resize(ref _record, Math.Min(LargeRecordPrefix, Math.Max(_record.Length * 2, _recordKept + keep)));
            bytes[..keep].CopyTo(_record.AsSpan(_recordKept));
            _recordKept += keep;
        }

        // The checksum covers the record's data first, then its header up to the checksum field (PostgreSQL's order).
        var headerPart = (int)Math.Clamp(RecordHeaderSize - _recordReceived, 0, bytes.Length);
        _recordCrc = Crc32C(_recordCrc, bytes[headerPart..]);
        _recordReceived += bytes.Length;
        if (_recordReceived < _recordLength)
            return;
        _inRecord = false;
        var record = _record.AsSpan(0, _recordKept);
        if (~Crc32C(_recordCrc, record[..ChecksumOffset]) != BinaryPrimitives.ReadUInt32LittleEndian(record[ChecksumOffset..]))
        {
            // A record that fails its checksum ends valid WAL, as in recovery: nothing after it is read.
            _ended = true;
            return;
        }

        _validBytes = (long)(_recordStart + _recordLength - _first!.PageAddress);
        // A record may start in the segment before and end here; only one starting here is a place recovery can stop.
        if (_recordStart >= _first.PageAddress)
            _lastRecordStart = (long)(_recordStart - _first.PageAddress);
        ReadRecord(record);
    }

    private const int ChecksumOffset = 20;

    private static uint Crc32C(uint crc, ReadOnlySpan<byte> data)
    {
        while (data.Length >= sizeof(ulong))
        {
            crc = BitOperations.Crc32C(crc, BinaryPrimitives.ReadUInt64LittleEndian(data));
            data = data[sizeof(ulong)..];
        }

        foreach (var b in data)
            crc = BitOperations.Crc32C(crc, b);
        return crc;
    }

    // A commit or abort of a prepared transaction names the prepared one's id after its lists of subtransactions,
    // relations and invalidations, which can be long: keep more of those records, a small prefix of every other.
    private int KeptLimit(ReadOnlySpan<byte> incoming)
    {
        Span<byte> header = stackalloc byte[RecordHeaderSize];
        var known = Math.Min(_recordKept, RecordHeaderSize);
        _record.AsSpan(0, known).CopyTo(header);
        incoming[..Math.Min(incoming.Length, RecordHeaderSize - known)].CopyTo(header[known..]);
        var seen = Math.Min(RecordHeaderSize, known + incoming.Length);
        var isPrepared = seen >= 18 && header[17] == TransactionResourceManager && (header[16] & TransactionOperationMask) is TransactionCommitPrepared or TransactionAbortPrepared;
        return isPrepared ? LargeRecordPrefix : SmallRecordPrefix;
    }

    private void ReadRecord(ReadOnlySpan<byte> record)
    {
        if (record.Length < RecordHeaderSize)
            return;
        var info = record[16];
        var manager = record[17];
        if (manager == TransactionResourceManager)
            ReadTransactionRecord(record, info);
        else if (manager == XlogResourceManager && (info & 0xF0) == XlogRestorePoint)
            ReadRestorePoint(record);
        else if (manager == XlogResourceManager && (info & 0xF0) == XlogSwitch)
            _ended = true; // the rest of the segment is unused
    }

    private void ReadTransactionRecord(ReadOnlySpan<byte> record, byte info)
    {
        var ended = TransactionEndedBy(record);
        if (ended is { } endedId)
            _transactionsEnded.Add(endedId);
        if ((info & TransactionOperationMask) is TransactionCommit or TransactionCommitPrepared)
            ReadCommit(record, ended ?? BinaryPrimitives.ReadUInt32LittleEndian(record[4..]));
    }

    /// <summary>
    /// The transaction a commit or abort record ends, as recovery matches a transaction target (PostgreSQL's
    /// recoveryStopsBefore/After): the record's own transaction id, which for the abort of a subtransaction is the
    /// subtransaction's, or, for a prepared transaction's commit or abort, the id that prepared it. The subtransactions
    /// a record lists are not matched, so they are not returned. Null for any other record, or when too little of it is here.
    /// </summary>
    private static uint? TransactionEndedBy(ReadOnlySpan<byte> record)
    {
        const int InfoOffset = 16;
        if (record.Length <= InfoOffset + 1 || record[InfoOffset + 1] != TransactionResourceManager)
            return null;
        var info = record[InfoOffset];
        switch (info & TransactionOperationMask)
        {
            case TransactionCommit or TransactionAbort:
                return BinaryPrimitives.ReadUInt32LittleEndian(record[4..]);
            case TransactionCommitPrepared or TransactionAbortPrepared when (info & TransactionHasInfo) != 0:
                if (MainDataStart(record) is not { } start || start + sizeof(long) > record.Length)
                    return null;
                return PreparedTransactionId(record[(start + sizeof(long))..], isCommit: (info & TransactionOperationMask) == TransactionCommitPrepared);
            default:
                return null;
        }
    }

    private void ReadCommit(ReadOnlySpan<byte> record, uint transactionId)
    {
        if (MainDataStart(record) is not { } start || start + sizeof(long) > record.Length)
            return;
        if (TimeOf(BinaryPrimitives.ReadInt64LittleEndian(record[start..])) is not { } time)
            return;
        var commit = new WalCommit(time, transactionId, _recordStart);
        _commits++;
        _firstCommit ??= commit;
        _lastCommit = commit;
    }

    // The optional parts of a commit or abort record (PostgreSQL's ParseCommitRecord and ParseAbortRecord), in their
    // order, up to the prepared transaction's id; null when the kept prefix does not reach it. An abort has no
    // invalidation messages.
    private static uint? PreparedTransactionId(ReadOnlySpan<byte> data, bool isCommit)
    {
        if (data.Length < sizeof(uint))
            return null;
        var flags = BinaryPrimitives.ReadUInt32LittleEndian(data);
        var at = sizeof(uint);
        const uint Invalidations = 1u << 3;
        (uint Flag, int ItemSize, bool Counted)[] parts =
        [
            (1u << 0, 8, false),   // database and tablespace
            (1u << 1, 4, true),    // subtransactions
            (1u << 2, 12, true),   // relation files
            (1u << 8, 12, true),   // dropped statistics
            (Invalidations, 16, true),
        ];
        foreach (var (flag, itemSize, counted) in parts)
        {
            if ((flags & flag) == 0 || (flag == Invalidations && !isCommit))
                continue;
            if (!counted)
            {
                at += itemSize;
                continue;
            }

            if (at + sizeof(int) > data.Length)
                return null;
            var count = BinaryPrimitives.ReadInt32LittleEndian(data[at..]);
            var next = at + sizeof(int) + ((long)count * itemSize);
            if (count < 0 || next > data.Length)
                return null;
            at = (int)next;
        }

        const uint HasTwoPhase = 1u << 4;
        if ((flags & HasTwoPhase) == 0 || at + sizeof(uint) > data.Length)
            return null;
        return BinaryPrimitives.ReadUInt32LittleEndian(data[at..]);
    }

    private void ReadRestorePoint(ReadOnlySpan<byte> record)
    {
        const int NameBytes = 64;
        if (MainDataStart(record) is not { } start || start + sizeof(long) + NameBytes > record.Length)
            return;
        if (TimeOf(BinaryPrimitives.ReadInt64LittleEndian(record[start..])) is not { } time)
            return;
        var name = record.Slice(start + sizeof(long), NameBytes);
        var end = name.IndexOf((byte)0);
        _restorePoints.Add(new WalRestorePoint(Encoding.UTF8.GetString(end < 0 ? name : name[..end]), time, _recordStart));
    }

    /// <summary>
    /// Where the record's main data starts: after the fixed header, the optional origin and top-level transaction
    /// headers, and the main data's own length header. Records with block references are not read here.
    /// </summary>
    private static int? MainDataStart(ReadOnlySpan<byte> record)
    {
        var at = RecordHeaderSize;
        while (at < record.Length)
        {
            switch (record[at])
            {
                case 255 when at + 2 <= record.Length:
                    return at + 2;
                case 254 when at + 5 <= record.Length:
                    return at + 5;
                case 253:
                    at += 3; // replication origin
                    break;
                case 252:
                    at += 5; // top-level transaction id
                    break;
                default:
                    return null;
            }
        }

        return null;
    }

    // A time no server could have written (the checksum passed, so only a format this reader misunderstands) is skipped.
    private static DateTimeOffset? TimeOf(long microsecondsSince2000) =>
        Math.Abs(microsecondsSince2000) < 200L * 365 * 24 * 3600 * 1_000_000 ? PostgresEpoch.AddTicks(microsecondsSince2000 * TimeSpan.TicksPerMicrosecond) : null;

    private static int Align(int position) => (position + 7) & ~7;

    private static bool IsPowerOfTwo(uint value, uint min, uint max) => value >= min && value <= max && (value & (value - 1)) == 0;

    private static string Lsn(ulong position) => $"{position >> 32:X}/{position & 0xFFFFFFFF:X}";

    private LifeboatException Invalid(string why) =>
        new($"'{_fileName}' is not a PostgreSQL WAL segment: {why}", "archive only the files PostgreSQL passes to archive_command as %p");
}
