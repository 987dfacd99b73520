namespace Lifeboat.Buckets.Index;

/// <summary>Reads '\n'-ended lines from a stream into one growing buffer; each line is valid until the next read.</summary>
public sealed class LineReader(Stream stream, int bufferSize = 64 * 1024)
{
    private byte[] _buffer = new byte[bufferSize];
    private int _start;
    private int _end;
    private bool _ended;

    /// <summary>The next line without its end, or null at the end of the stream; a last line without an end is a line.</summary>
    public async ValueTask<ReadOnlyMemory<byte>?> ReadLineAsync(CancellationToken cancellationToken)
    {
        var searched = 0;
        while (true)
        {
            var at = _buffer.AsSpan(_start + searched, _end - _start - searched).IndexOf(IndexLineFormat.LineEnd);
            if (at >= 0)
            {
                var line = new ReadOnlyMemory<byte>(_buffer, _start, searched + at);
                _start += searched + at + 1;
                return line;
            }

            searched = _end - _start;
            if (_ended)
                return TakeRest();
            await FillAsync(cancellationToken);
        }
    }

    private ReadOnlyMemory<byte>? TakeRest()
    {
        if (_start == _end)
            return null;
        var line = new ReadOnlyMemory<byte>(_buffer, _start, _end - _start);
        _start = _end;
        return line;
    }

    private async ValueTask FillAsync(CancellationToken cancellationToken)
    {
        if (_start > 0)
        {
            // The caller is done with the previous line, so the unread tail may move to the front.
            Buffer.BlockCopy(_buffer, _start, _buffer, 0, _end - _start);
            _end -= _start;
            _start = 0;
        }

        if (_end == _buffer.Length)
            Array.Resize(ref _buffer, _buffer.Length * 2);
        var read = await stream.ReadAsync(_buffer.AsMemory(_end), cancellationToken);
        if (read == 0)
            _ended = true;
        _end += read;
    }
}
