namespace Lifeboat.Postgres;

/// <summary>
/// How large the archive pg_dump is writing will be: guessed from the tables' sizes on disk before it starts,
/// then re-estimated from the archive itself as it streams by, so the guess ends at the archive's real size.
/// </summary>
/// <remarks>
/// No size on disk predicts a table's size as text well: a timestamp takes 8 bytes on disk and 29 as text, a
/// geometry twice its size in hex, a compressed TOAST value several times its stored size, and each row's
/// 28 bytes of tuple header and line pointer become 5 bytes of chunk header. So the guess for the tables not
/// yet dumped is scaled by how the tables already dumped came out against their own guesses. The scaling is
/// shrunk towards 1 until a good part of the database has been seen, so a small first table cannot swing it.
/// </remarks>
internal sealed class DumpSizeEstimate
{
    private readonly IReadOnlyDictionary<(string Schema, string Table), long> _tableBytes;
    private readonly long _largeObjectBytes;
    private readonly CustomArchiveScanner _scanner;
    private readonly long _shrink;
    private long? _tocGuess;
    private long _startedGuess;
    private long _doneGuess;
    private long _doneBytes;
    private (long Guess, long Start)? _current;
    private long? _frozen;
    private long _seen;

    /// <summary>Starts from a guess of each table's archive bytes (<paramref name="tableBytes"/>) and of the large objects'.</summary>
    public DumpSizeEstimate(IReadOnlyDictionary<(string Schema, string Table), long> tableBytes, long largeObjectBytes)
    {
        _tableBytes = tableBytes;
        _largeObjectBytes = largeObjectBytes;
        Initial = tableBytes.Values.Sum() + largeObjectBytes;
        _shrink = Math.Max(Initial / 10, MinimumShrink);
        _scanner = new CustomArchiveScanner(BlockStarted, BlockEnded);
    }

    /// <summary>The weight, in bytes, the first guess keeps against what the archive has shown (at least 1 MiB, or a tenth of the guess).</summary>
    private const long MinimumShrink = 1 << 20;

    /// <summary>The guess before any byte of the archive was seen.</summary>
    public long Initial { get; }

    /// <summary>How many tables the guess covers.</summary>
    public int Tables => _tableBytes.Count;

    /// <summary>How many bytes of the archive have been seen.</summary>
    public long Seen => _seen;

    /// <summary>The archive's size as now estimated: never less than what has been seen, exact once its last data block ended.</summary>
    public long Total
    {
        get
        {
            var seen = _seen;
            if (_frozen is { } frozen)
                return Math.Max(frozen, seen);
            var scale = (double)(_doneBytes + _shrink) / (_doneGuess + _shrink);
            var current = _current is { } block ? Math.Max(0, (long)(block.Guess * scale) - (seen - block.Start)) : 0;
            var remaining = Math.Max(0, (_tocGuess ?? Initial) - _startedGuess);
            return seen + current + (long)(remaining * scale);
        }
    }

    /// <summary>Takes the next bytes of the archive.</summary>
    public void Observe(ReadOnlySpan<byte> bytes)
    {
        var before = Total;
        _seen += bytes.Length;
        if (_frozen is not null)
            return;
        var hadEntries = _scanner.Entries is not null;
        _scanner.Observe(bytes);
        if (!hadEntries && _scanner.Entries is { } entries)
            _tocGuess = entries.Where(e => e.HasData).Sum(GuessOf);

        // An archive the scan does not follow keeps the last estimate; the bar then fills as it did before.
        if (_scanner.Stopped)
            _frozen = before;
    }

    private long GuessOf(CustomArchiveTocEntry entry) =>
        entry.Desc is "BLOBS" or "LARGE OBJECTS"
            ? _largeObjectBytes
            : _tableBytes.GetValueOrDefault((entry.Schema ?? "", entry.Tag ?? ""));

    private void BlockStarted(CustomArchiveTocEntry entry, byte type, long start)
    {
        var guess = type == CustomArchiveFormat.BlockLargeObjects ? _largeObjectBytes : GuessOf(entry);
        _startedGuess += guess;
        _current = (guess, start);
    }

    private void BlockEnded(long end)
    {
        if (_current is not { } block)
            return;
        _doneGuess += block.Guess;
        _doneBytes += end - block.Start;
        _current = null;
    }
}
