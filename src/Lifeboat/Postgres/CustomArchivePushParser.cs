using System.Text;

namespace Lifeboat.Postgres;

/// <summary>
/// Runs a custom-archive grammar over an archive's bytes as they are pushed to it, in whatever pieces they
/// come, handing the grammar each field it asks for.
/// </summary>
/// <remarks>
/// A grammar is an iterator of <see cref="CustomArchiveNeed"/>: each <c>yield</c> asks for the next field, so it
/// reads top to bottom while the bytes arrive in pieces the writer chose. It reads what it asked for from
/// <see cref="Field"/>, <see cref="Int"/> and <see cref="KeptText"/> when it resumes. Only the field at hand and
/// the text being kept are held, never a whole piece.
/// </remarks>
internal sealed class CustomArchivePushParser
{
    private readonly byte[] _field = new byte[1 + CustomArchiveFormat.WidestNumber];
    private readonly MemoryStream _kept = new();
    private readonly IEnumerator<CustomArchiveNeed> _steps;
    private CustomArchiveNeed _need;
    private int _filled;
    private long _passed;

    /// <summary>Starts <paramref name="grammar"/>, given this parser, at the first byte of an archive.</summary>
    public CustomArchivePushParser(Func<CustomArchivePushParser, IEnumerable<CustomArchiveNeed>> grammar)
    {
        _steps = grammar(this).GetEnumerator();
        Next();
    }

    /// <summary>How many bytes were taken: the archive position of the next byte the grammar reads.</summary>
    public long Position { get; private set; }

    /// <summary>True once the grammar has come to its end or given up; it takes no more bytes.</summary>
    public bool Ended { get; private set; }

    /// <summary>Why the grammar gave up; null while it reads on or when it came to its end.</summary>
    public string? Failure { get; private set; }

    /// <summary>True when the next byte is the first of the field the grammar waits for.</summary>
    public bool BetweenFields => _filled == 0 && _passed == 0;

    // The grammar reads these while it resumes, before its next need replaces the one just met.

    /// <summary>The field just read.</summary>
    public ReadOnlySpan<byte> Field => _field.AsSpan(0, (int)_need.Count);

    /// <summary>The field just read, as one of the archive's integers.</summary>
    public long Int => CustomArchiveFormat.DecodeInt(Field);

    /// <summary>The text kept since it was last taken (empty when none was), as UTF-8.</summary>
    public string KeptText()
    {
        var text = Encoding.UTF8.GetString(_kept.GetBuffer(), 0, (int)_kept.Length);
        _kept.SetLength(0);
        return text;
    }

    /// <summary>
    /// Takes the next bytes of the archive; returns how many were taken, fewer than given only once the grammar
    /// has ended.
    /// </summary>
    public int Observe(ReadOnlySpan<byte> bytes)
    {
        var taken = 0;
        while (taken < bytes.Length && !Ended)
        {
            var piece = bytes[taken..];
            var step = _need.Kind == CustomArchiveNeed.Kinds.ChunkLength && _filled == 0 ? PassWholeChunks(piece) : 0;
            step += Take(piece[step..]);
            taken += step;
            Position += step;
            if (_need.IsMet(_filled, _passed))
                Next();
        }

        return taken;
    }

    // The fast path for a table's data, which pg_dump --compress=0 writes as one chunk per row: chunks
    // that lie wholly in this piece are passed over here, without a round trip through the grammar per row.
    // Whatever is left (a zero length, a chunk cut by the piece's end) goes the ordinary way.
    private int PassWholeChunks(ReadOnlySpan<byte> bytes)
    {
        var header = (int)_need.Count;
        var passed = 0;
        int length;
        while ((length = CustomArchiveFormat.WholeChunkLength(bytes[passed..], header)) > 0)
            passed += header + length;
        return passed;
    }

    private int Take(ReadOnlySpan<byte> bytes)
    {
        if (bytes.IsEmpty)
            return 0;
        if (_need.Kind is CustomArchiveNeed.Kinds.Over or CustomArchiveNeed.Kinds.Kept)
        {
            var run = (int)Math.Min(_need.Count - _passed, bytes.Length);
            if (_need.Kind == CustomArchiveNeed.Kinds.Kept)
                _kept.Write(bytes[..run]);
            _passed += run;
            return run;
        }

        var take = Math.Min((int)_need.Count - _filled, bytes.Length);
        bytes[..take].CopyTo(_field.AsSpan(_filled));
        _filled += take;
        return take;
    }

    private void Next()
    {
        _filled = 0;
        _passed = 0;
        if (!_steps.MoveNext())
        {
            Ended = true;
            return;
        }

        _need = _steps.Current;
        if (_need.Kind != CustomArchiveNeed.Kinds.Unreadable)
            return;
        Failure = _need.Why;
        Ended = true;
    }
}
