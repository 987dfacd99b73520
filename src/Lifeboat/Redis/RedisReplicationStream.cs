using System.Globalization;
using System.Net.Sockets;
using System.Text;

namespace Lifeboat.Redis;

/// <summary>
/// The RDB a Redis server sends a replica, read the way redis-cli --rdb reads it: AUTH, REPLCONF capa eof and
/// rdb-only 1, SYNC; then, after the newlines the server sends as keep-alives while it forks, either "$&lt;length&gt;"
/// and that many bytes (the RDB written to disk first) or "$EOF:&lt;40-byte mark&gt;" and bytes up to that mark
/// (diskless: streamed from the fork). Read as a stream that ends exactly where the RDB does; a connection that drops
/// or goes silent before that is a <see cref="LifeboatException"/> saying how far it got. Disposing closes the connection.
/// </summary>
public sealed class RedisReplicationStream : ReadOnlyStream
{
    private const int MarkLength = 40;
    private const int BufferSize = 1 << 20;
    private static readonly TimeSpan ConnectTimeout = TimeSpan.FromSeconds(10);

    // While the payload streams, a receive wakes once this much has arrived rather than for each segment the server
    // writes (16 KiB at a time from a diskless fork): on a 592 MB RDB that cut lifeboat's CPU by about 1 s, most of it
    // the kernel's and the socket thread's wake-ups, which compete with the server's fork on the same cores. 64 KiB saved
    // less; 512 KiB and 1 MiB no more.
    private const int LowWaterBytes = 256 << 10;

    // How long a receive waits for the low-water mark before taking what has come: the RDB's last bytes stop short of
    // it, and the server closes the connection only when it reaps the fork (up to 100 ms later), or never without
    // rdb-only. A fork streaming at full speed fills the mark in about 4 ms, so mid-stream this seldom runs out.
    private static readonly TimeSpan LowWaterPatience = TimeSpan.FromMilliseconds(20);

    private readonly RedisSource _source;
    private readonly TcpClient _client;
    private readonly Stream _connection;
    private readonly TimeSpan _idleTimeout;
    private readonly byte[] _buffer = new byte[BufferSize + MarkLength];
    private byte[]? _mark;
    private ReceiveLowWaterMark? _lowWater;
    private int _offset;
    private int _deliverable;
    private int _filled;
    private long _remaining;
    private long _bytesReceived;
    private volatile bool _finished;

    private RedisReplicationStream(RedisSource source, TcpClient client, Stream connection, TimeSpan idleTimeout)
    {
        _source = source;
        _client = client;
        _connection = connection;
        _idleTimeout = idleTimeout;
    }

    /// <summary>The RDB's length when the server announced it ("$&lt;length&gt;"); null when it streams diskless up to a mark.</summary>
    public long? AnnouncedLength { get; private set; }

    /// <summary>Bytes of the RDB read so far.</summary>
    public long BytesRead { get; private set; }

    /// <summary>What INFO said on this connection, right before SYNC.</summary>
    public RedisInfo Info { get; private set; } = RedisInfo.Parse("");

    /// <summary>
    /// Connects, authenticates and asks for the RDB; returns once the server has begun to send it. The server's refusals
    /// (a wrong password, a missing ACL permission) come back as one line naming the command and the server's words.
    /// <paramref name="idleTimeout"/> is how long a silent server is waited for (it sends a newline every second while it forks).
    /// </summary>
    public static Task<RedisReplicationStream> OpenAsync(RedisSource source, TimeSpan idleTimeout, CancellationToken cancellationToken) =>
        HandshakeAsync(source, idleTimeout, sync: true, cancellationToken);

    /// <summary>
    /// Everything <see cref="OpenAsync"/> does short of SYNC (which would take a snapshot): connects, authenticates, asks
    /// INFO and sends REPLCONF capa eof, failing as a backup would; returns what INFO said.
    /// </summary>
    public static async Task<RedisInfo> ProbeAsync(RedisSource source, TimeSpan idleTimeout, CancellationToken cancellationToken)
    {
        await using var probe = await HandshakeAsync(source, idleTimeout, sync: false, cancellationToken);
        return probe.Info;
    }

    private static async Task<RedisReplicationStream> HandshakeAsync(RedisSource source, TimeSpan idleTimeout, bool sync, CancellationToken cancellationToken)
    {
        var client = new TcpClient { NoDelay = true };
        RedisReplicationStream? stream = null;
        try
        {
            await ConnectAsync(client, source, cancellationToken);
            var connection = await SecureAsync(client.GetStream(), source, cancellationToken);
            stream = new RedisReplicationStream(source, client, connection, idleTimeout);
            await stream.HandshakeAsync(sync, cancellationToken);
            return stream;
        }
        catch
        {
            if (stream is not null)
                await stream.DisposeAsync();
            else
                client.Dispose();
            throw;
        }
    }

    /// <summary>True once the whole RDB has been received; safe to read from any thread.</summary>
    public bool Finished => _finished;

    /// <summary>Bytes taken from the socket so far, replies and payload alike; safe to read from any thread.</summary>
    public long BytesReceived => Interlocked.Read(ref _bytesReceived);

    /// <summary>Bytes that have arrived in the socket and wait to be read; 0 once closed.</summary>
    public int WaitingBytes
    {
        get
        {
            try
            {
                return _client.Client?.Available ?? 0;
            }
            catch (Exception e) when (e is ObjectDisposedException or System.Net.Sockets.SocketException or InvalidOperationException)
            {
                return 0;
            }
        }
    }

    /// <inheritdoc />
    public override int Read(Span<byte> buffer)
    {
        var rented = new byte[buffer.Length];
        var read = ReadAsync(rented).AsTask().GetAwaiter().GetResult();
        rented.AsSpan(0, read).CopyTo(buffer);
        return read;
    }

    /// <inheritdoc />
    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        if (buffer.IsEmpty)
            return 0;
        while (_offset == _deliverable)
        {
            if (_finished)
                return 0;
            await FillAsync(cancellationToken);
        }

        var count = Math.Min(buffer.Length, _deliverable - _offset);
        _buffer.AsMemory(_offset, count).CopyTo(buffer);
        _offset += count;
        BytesRead += count;
        return count;
    }

    /// <inheritdoc />
    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _lowWater?.Dispose();
            _connection.Dispose();
            _client.Dispose();
        }

        base.Dispose(disposing);
    }

    private static async Task ConnectAsync(TcpClient client, RedisSource source, CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(ConnectTimeout);
        try
        {
            await client.ConnectAsync(source.Host, source.Port, timeout.Token);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            throw new LifeboatException($"cannot connect to {source.Describe()}: no answer within {ConnectTimeout.TotalSeconds:0} s", "check the host and port, and that the server runs");
        }
        catch (SocketException e)
        {
            throw new LifeboatException($"cannot connect to {source.Describe()}: {e.Message}", "check the host and port, and that the server runs", inner: e);
        }
    }

    private static async Task<Stream> SecureAsync(NetworkStream network, RedisSource source, CancellationToken cancellationToken) =>
        source.Tls ? await RedisTlsHandshake.SecureAsync(network, source, cancellationToken) : network;

    private async Task HandshakeAsync(bool sync, CancellationToken cancellationToken)
    {
        if (_source.Password is { } password)
        {
            var auth = _source.User is { } user ? Command("AUTH", user, password) : Command("AUTH", password);
            await ExpectOkAsync("AUTH", auth, cancellationToken);
        }

        await WriteAsync(Command("INFO"), cancellationToken);
        Info = RedisInfo.Parse(await ReadBulkAsync("INFO", cancellationToken));
        await ExpectOkAsync("REPLCONF capa eof", Command("REPLCONF", "capa", "eof"), cancellationToken);
        if (!sync)
            return;
        // Redis before 7.0 does not know rdb-only: it then sends the RDB all the same, and the stream ends at the RDB anyway.
        await ExpectOkAsync("REPLCONF rdb-only 1", Command("REPLCONF", "rdb-only", "1"), cancellationToken, unknownIsFine: true);
        await WriteAsync(Command("SYNC"), cancellationToken);
        await ReadPayloadHeaderAsync(cancellationToken);
    }

    private async Task ExpectOkAsync(string what, byte[] command, CancellationToken cancellationToken, bool unknownIsFine = false)
    {
        await WriteAsync(command, cancellationToken);
        var reply = await ReadLineAsync(cancellationToken);
        if (reply.StartsWith('+'))
            return;
        if (unknownIsFine && reply.StartsWith("-ERR", StringComparison.Ordinal))
            return;
        throw Refused(what, reply);
    }

    private async Task ReadPayloadHeaderAsync(CancellationToken cancellationToken)
    {
        string line;
        // Keep-alives: a bare newline each second while the server forks and writes the RDB.
        do
        {
            line = await ReadLineAsync(cancellationToken);
        }
        while (line.Length == 0);

        if (line.StartsWith("$EOF:", StringComparison.Ordinal) && line.Length == 5 + MarkLength)
        {
            _mark = Encoding.ASCII.GetBytes(line[5..]);
            Classify();
            _lowWater = ReceiveLowWaterMark.TrySet(_client.Client, LowWaterBytes, LowWaterPatience);
            return;
        }

        if (line.StartsWith('$') && long.TryParse(line.AsSpan(1), NumberStyles.None, CultureInfo.InvariantCulture, out var length))
        {
            AnnouncedLength = length;
            _filled = _offset + (int)Math.Min(_filled - _offset, length);
            _remaining = length - (_filled - _offset);
            Classify();
            _lowWater = ReceiveLowWaterMark.TrySet(_client.Client, LowWaterBytes, LowWaterPatience);
            return;
        }

        if (line.StartsWith('-'))
            throw Refused("SYNC", line);
        throw new LifeboatException($"{_source.Describe()} answered SYNC with '{Shorten(line)}', not an RDB payload", "check that the host and port are a Redis server's");
    }

    private async Task FillAsync(CancellationToken cancellationToken)
    {
        var held = _filled - _offset;
        _buffer.AsSpan(_offset, held).CopyTo(_buffer);
        _offset = 0;
        _filled = held;
        var room = _buffer.Length - _filled;
        if (_mark is null)
            room = (int)Math.Min(room, _remaining);
        var read = await ReceiveAsync(_buffer.AsMemory(_filled, room), cancellationToken);
        if (read == 0)
            throw Dropped();
        _filled += read;
        if (_mark is null)
            _remaining -= read;
        Classify();
    }

    // Only the bytes that cannot be part of the end mark are handed on: the last 40 stay until more follow or they are the mark.
    private void Classify()
    {
        if (_mark is null)
        {
            _deliverable = _filled;
            _finished = _remaining == 0;
        }
        else if (_filled - _offset >= MarkLength && _buffer.AsSpan(_filled - MarkLength, MarkLength).SequenceEqual(_mark))
        {
            _deliverable = _filled - MarkLength;
            _finished = true;
        }
        else
        {
            _deliverable = Math.Max(_offset, _filled - MarkLength);
        }
    }

    private async Task<string> ReadBulkAsync(string what, CancellationToken cancellationToken)
    {
        var header = await ReadLineAsync(cancellationToken);
        if (header.StartsWith('-'))
            throw Refused(what, header);
        if (!header.StartsWith('$') || !int.TryParse(header.AsSpan(1), NumberStyles.None, CultureInfo.InvariantCulture, out var length) || length > BufferSize - 2)
            throw new LifeboatException($"{_source.Describe()} answered {what} with '{Shorten(header)}', not a bulk string", "check that the host and port are a Redis server's");
        while (_filled - _offset < length + 2)
        {
            Compact();
            var read = await ReceiveAsync(_buffer.AsMemory(_filled), cancellationToken);
            if (read == 0)
                throw new LifeboatException($"{_source.Describe()} closed the connection before it sent the RDB", "look in the server's log for why it dropped the connection");
            _filled += read;
        }

        var text = Encoding.UTF8.GetString(_buffer, _offset, length);
        _offset += length + 2;
        return text;
    }

    private void Compact()
    {
        if (_offset == 0)
            return;
        _buffer.AsSpan(_offset, _filled - _offset).CopyTo(_buffer);
        _filled -= _offset;
        _offset = 0;
    }

    private async Task<string> ReadLineAsync(CancellationToken cancellationToken)
    {
        while (true)
        {
            var newline = _buffer.AsSpan(_offset, _filled - _offset).IndexOf((byte)'\n');
            if (newline >= 0)
            {
                var line = Encoding.UTF8.GetString(_buffer, _offset, newline).TrimEnd('\r');
                _offset += newline + 1;
                return line;
            }

            Compact();
            if (_filled == _buffer.Length)
                throw new LifeboatException($"{_source.Describe()} sent a reply line longer than {BufferSize} bytes", "check that the host and port are a Redis server's");
            var read = await ReceiveAsync(_buffer.AsMemory(_filled), cancellationToken);
            if (read == 0)
                throw new LifeboatException($"{_source.Describe()} closed the connection before it sent the RDB", "look in the server's log for why it dropped the replica connection");
            _filled += read;
        }
    }

    // The time limit covers one receive only: a consumer that pauses between reads (the repository stalled, the
    // read-ahead full) leaves the server waiting on a full socket, which is not the server being silent. Once the payload
    // streams, a receive of a known rest (a payload with a length) waits for no more than that rest.
    private async Task<int> ReceiveAsync(Memory<byte> buffer, CancellationToken cancellationToken)
    {
        using var idle = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        idle.CancelAfter(_idleTimeout);
        _lowWater?.BeforeReceive(_mark is null ? buffer.Length : null);
        try
        {
            var received = await _connection.ReadAsync(buffer, idle.Token);
            Interlocked.Add(ref _bytesReceived, received);
            return received;
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            throw new LifeboatException(
                $"{_source.Describe()} sent nothing for {_idleTimeout.TotalSeconds:0} s{Progress()}",
                "check the server's log and load; a server busy writing a large RDB to a slow disk still sends a newline every second");
        }
        catch (IOException e)
        {
            throw Dropped(e);
        }
        finally
        {
            _lowWater?.AfterReceive();
        }
    }

    private async Task WriteAsync(byte[] command, CancellationToken cancellationToken)
    {
        try
        {
            await _connection.WriteAsync(command, cancellationToken);
            await _connection.FlushAsync(cancellationToken);
        }
        catch (IOException e)
        {
            throw Dropped(e);
        }
    }

    private LifeboatException Dropped(Exception? inner = null) => new(
        $"the connection to {_source.Describe()} dropped{Progress()}{(inner is null ? "" : $": {inner.Message}")}",
        "look in the server's log for why (a restart, CLIENT KILL, or a replica timed out: nothing was read for repl-timeout seconds) and take the backup again",
        inner: inner);

    private string Progress()
    {
        var received = BytesRead + (_filled - _offset);
        if (AnnouncedLength is { } length)
            return $" after {received} of the RDB's {length} bytes";
        return _mark is null ? " before the RDB began" : $" after {received} bytes of the RDB, before its end mark";
    }

    private LifeboatException Refused(string what, string reply)
    {
        var words = reply.TrimStart('-');
        if (words.StartsWith("NOPERM", StringComparison.Ordinal))
        {
            return new LifeboatException(
                $"{_source.Describe()} refused {what}: {words}",
                "grant the backup user the ACL permissions a backup needs: +replconf +sync +info",
                FailureKind.Usage);
        }

        if (words.StartsWith("WRONGPASS", StringComparison.Ordinal) || words.StartsWith("NOAUTH", StringComparison.Ordinal) || what == "AUTH")
            return new LifeboatException($"{_source.Describe()} refused {what}: {words}", "check the user and password", FailureKind.Usage);
        if (RedisReplies.IsLoading(words))
            return new LifeboatException($"{_source.Describe()} refused {what}: {Shorten(words)}", RedisReplies.LoadingHint);
        return new LifeboatException($"{_source.Describe()} refused {what}: {Shorten(words)}", "look in the server's log for why");
    }

    private static string Shorten(string text) => text.Length <= 200 ? text : text[..200] + "…";

    // RESP arrays of bulk strings: safe for any byte in a password.
    private static byte[] Command(params string[] parts)
    {
        var text = new StringBuilder().Append(CultureInfo.InvariantCulture, $"*{parts.Length}\r\n");
        foreach (var part in parts)
            text.Append(CultureInfo.InvariantCulture, $"${Encoding.UTF8.GetByteCount(part)}\r\n{part}\r\n");
        return Encoding.UTF8.GetBytes(text.ToString());
    }
}
