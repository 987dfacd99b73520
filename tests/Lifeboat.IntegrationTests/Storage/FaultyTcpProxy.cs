using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Lifeboat.IntegrationTests.Storage;

/// <summary>What the proxy does to one incoming connection.</summary>
internal abstract record ConnectionFault
{
    /// <summary>Accept, then reset at once.</summary>
    public sealed record Reset : ConnectionFault;

    /// <summary>Answer "503 Service Unavailable" without asking the server.</summary>
    public sealed record ServiceUnavailable : ConnectionFault;

    /// <summary>Pass through, but drop the connection once this many response bytes have gone to the client.</summary>
    public sealed record CutResponseAfter(long Bytes) : ConnectionFault;

    /// <summary>
    /// Pass the request through (and a "100 Continue" that lets its body follow), then drop the connection at the first
    /// bytes of the final response: the server did the request, the client never hears so.
    /// </summary>
    public sealed record LoseFinalResponse : ConnectionFault;
}

/// <summary>
/// A loopback TCP proxy in front of the test S3 server that breaks the next connections in chosen ways,
/// to prove retries and resumed reads on real traffic. Connections without a queued fault pass through.
/// </summary>
internal sealed class FaultyTcpProxy : IAsyncDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly DnsEndPoint _upstream;
    private readonly ConcurrentQueue<ConnectionFault> _faults = new();
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _accepting;
    private int _connections;

    public FaultyTcpProxy(Uri upstream)
    {
        _upstream = new DnsEndPoint(upstream.Host, upstream.Port);
        _listener.Start();
        _accepting = AcceptLoopAsync();
    }

    public string Endpoint => $"http://127.0.0.1:{((IPEndPoint)_listener.LocalEndpoint).Port}";

    public int Connections => _connections;

    public void Enqueue(ConnectionFault fault, int times = 1)
    {
        for (var i = 0; i < times; i++)
            _faults.Enqueue(fault);
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Stop();
        await _accepting.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        _stop.Dispose();
    }

    private async Task AcceptLoopAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            var client = await _listener.AcceptSocketAsync(_stop.Token);
            Interlocked.Increment(ref _connections);
            _ = HandleAsync(client, _faults.TryDequeue(out var fault) ? fault : null);
        }
    }

    private async Task HandleAsync(Socket client, ConnectionFault? fault)
    {
        using var _ = client;
        try
        {
            switch (fault)
            {
                case ConnectionFault.Reset:
                    client.LingerState = new LingerOption(true, 0);
                    return;
                case ConnectionFault.ServiceUnavailable:
                    await client.SendAsync(Encoding.ASCII.GetBytes("HTTP/1.1 503 Service Unavailable\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"), _stop.Token);
                    client.Shutdown(SocketShutdown.Send);
                    await Task.Delay(100, _stop.Token);
                    return;
                case ConnectionFault.LoseFinalResponse:
                    await RelayAsync(client, null, loseFinalResponse: true);
                    return;
                default:
                    await RelayAsync(client, (fault as ConnectionFault.CutResponseAfter)?.Bytes);
                    return;
            }
        }
        catch (Exception e) when (e is SocketException or IOException or OperationCanceledException)
        {
            // The client or the server hung up; either way this connection is over.
        }
    }

    private async Task RelayAsync(Socket client, long? cutAfter, bool loseFinalResponse = false)
    {
        using var server = new Socket(SocketType.Stream, ProtocolType.Tcp);
        await server.ConnectAsync(_upstream, _stop.Token);
        using var done = CancellationTokenSource.CreateLinkedTokenSource(_stop.Token);
        var up = PumpAsync(client, server, null, done.Token);
        var down = loseFinalResponse ? PumpInterimResponsesAsync(server, client, done.Token) : PumpAsync(server, client, cutAfter, done.Token);
        await Task.WhenAny(up, down);
        await done.CancelAsync();
        if (cutAfter is not null || loseFinalResponse)
            client.LingerState = new LingerOption(true, 0);
    }

    /// <summary>Forwards interim "HTTP/1.1 100" answers and returns, forwarding nothing, at the first other bytes.</summary>
    private static async Task PumpInterimResponsesAsync(Socket from, Socket to, CancellationToken cancellationToken)
    {
        var buffer = new byte[64 * 1024];
        var interim = Encoding.ASCII.GetBytes("HTTP/1.1 100 ");
        try
        {
            while (true)
            {
                var read = await from.ReceiveAsync(buffer, cancellationToken);
                if (read == 0 || !buffer.AsSpan(0, read).StartsWith(interim))
                    return;
                await to.SendAsync(buffer.AsMemory(0, read), cancellationToken);
            }
        }
        catch (Exception e) when (e is SocketException or OperationCanceledException)
        {
        }
    }

    private static async Task PumpAsync(Socket from, Socket to, long? limit, CancellationToken cancellationToken)
    {
        var buffer = new byte[64 * 1024];
        long sent = 0;
        try
        {
            while (true)
            {
                var read = await from.ReceiveAsync(buffer, cancellationToken);
                if (read == 0)
                    return;
                var allowed = limit is { } l ? (int)Math.Min(read, l - sent) : read;
                await to.SendAsync(buffer.AsMemory(0, allowed), cancellationToken);
                sent += allowed;
                if (limit is { } cut && sent >= cut)
                    return;
            }
        }
        catch (Exception e) when (e is SocketException or OperationCanceledException)
        {
        }
    }
}
