using System.Globalization;
using System.Net.Sockets;
using System.Text;

namespace Lifeboat.Tests.Redis;

/// <summary>The server's side of one scripted connection.</summary>
internal sealed class ScriptedConnection(NetworkStream stream) : IAsyncDisposable
{
    private readonly List<byte> _pending = [];

    /// <summary>A mark of 40 characters such as a diskless SYNC sends.</summary>
    public static readonly byte[] Mark = "0123456789abcdef0123456789abcdef01234567"u8.ToArray();

    /// <summary>Reads one command the client sent (an array of bulk strings).</summary>
    public async Task<string[]> ReadCommandAsync(CancellationToken cancellationToken)
    {
        var header = await ReadLineAsync(cancellationToken);
        if (!header.StartsWith('*'))
            throw new InvalidDataException($"expected an array, got '{header}'");
        var parts = new string[int.Parse(header.AsSpan(1), CultureInfo.InvariantCulture)];
        for (var i = 0; i < parts.Length; i++)
        {
            var length = int.Parse((await ReadLineAsync(cancellationToken)).AsSpan(1), CultureInfo.InvariantCulture);
            var bytes = await ReadExactlyAsync(length + 2, cancellationToken);
            parts[i] = Encoding.UTF8.GetString(bytes, 0, length);
        }

        return parts;
    }

    /// <summary>Answers INFO and both REPLCONFs as a Redis 7.0 does, and returns once the client sent SYNC.</summary>
    public async Task AnswerHandshakeAsync(CancellationToken cancellationToken)
    {
        await ExpectAsync("INFO", cancellationToken);
        await SendBulkAsync("# Server\r\nredis_version:7.0.15\r\n# Replication\r\nrole:master\r\n# Keyspace\r\ndb0:keys=1,expires=0,avg_ttl=0\r\n", cancellationToken);
        await ExpectAsync("REPLCONF capa eof", cancellationToken);
        await SendAsync("+OK\r\n", cancellationToken);
        await ExpectAsync("REPLCONF rdb-only 1", cancellationToken);
        await SendAsync("+OK\r\n", cancellationToken);
        await ExpectAsync("SYNC", cancellationToken);
    }

    public async Task ExpectAsync(string command, CancellationToken cancellationToken)
    {
        var got = string.Join(' ', await ReadCommandAsync(cancellationToken));
        if (got != command)
            throw new InvalidDataException($"expected '{command}', got '{got}'");
    }

    public Task SendAsync(string text, CancellationToken cancellationToken) => SendAsync(Encoding.ASCII.GetBytes(text), cancellationToken);

    public Task SendAsync(byte[] bytes, CancellationToken cancellationToken) => SendAsync(bytes.AsMemory(), cancellationToken);

    public async Task SendAsync(ReadOnlyMemory<byte> bytes, CancellationToken cancellationToken)
    {
        await stream.WriteAsync(bytes, cancellationToken);
        await stream.FlushAsync(cancellationToken);
    }

    public Task SendBulkAsync(string text, CancellationToken cancellationToken) =>
        SendAsync($"${Encoding.UTF8.GetByteCount(text)}\r\n{text}\r\n", cancellationToken);

    /// <summary>Reads until the client closes the connection, so the server does not close it first.</summary>
    public async Task WaitForCloseAsync(CancellationToken cancellationToken)
    {
        var buffer = new byte[4096];
        while (await stream.ReadAsync(buffer, cancellationToken) > 0)
        {
        }
    }

    public ValueTask DisposeAsync() => stream.DisposeAsync();

    private async Task<string> ReadLineAsync(CancellationToken cancellationToken)
    {
        _pending.Clear();
        var one = new byte[1];
        while (true)
        {
            if (await stream.ReadAsync(one, cancellationToken) == 0)
                throw new EndOfStreamException("the client closed the connection");
            if (one[0] == '\n')
                return Encoding.UTF8.GetString([.. _pending]).TrimEnd('\r');
            _pending.Add(one[0]);
        }
    }

    private async Task<byte[]> ReadExactlyAsync(int count, CancellationToken cancellationToken)
    {
        var bytes = new byte[count];
        await stream.ReadExactlyAsync(bytes, cancellationToken);
        return bytes;
    }
}
