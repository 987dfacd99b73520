using System.Net;
using System.Net.Sockets;
using Lifeboat.Buckets.Source;

namespace Lifeboat.IntegrationTests.Buckets;

/// <summary>
/// A TCP relay in front of the devstack's radosgw, for the moments a real server cannot be asked to arrange: each
/// time a connection has carried another <c>every</c> bytes back from the server, the relay holds the rest of the
/// response, runs the test's action (overwrite the object being read, cancel the run) and then passes the response
/// on, or cuts the connection there when the action says so. Everything else passes unchanged.
/// </summary>
internal sealed class S3Tap : IAsyncDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly CancellationTokenSource _stop = new();
    private readonly Uri _server = new(TestEnvironment.S3Endpoint);
    private readonly long _every;
    private readonly Func<Task<bool>> _action;
    private readonly Task _accepting;
    private readonly SemaphoreSlim _oneAtATime = new(1, 1);

    private S3Tap(long every, Func<Task<bool>> action)
    {
        _every = every;
        _action = action;
        _listener.Start();
        _accepting = AcceptAsync();
    }

    /// <summary>The relay's URL, to give a client instead of the server's.</summary>
    public string Url => $"http://127.0.0.1:{((IPEndPoint)_listener.LocalEndpoint).Port}";

    /// <summary>
    /// Relays to radosgw and runs <paramref name="action"/> each time a connection carried another
    /// <paramref name="every"/> response bytes; the connection is cut there when the action returns true.
    /// </summary>
    public static S3Tap Start(long every, Func<Task<bool>> action) => new(every, action);

    /// <summary><paramref name="endpoint"/> reached through the relay.</summary>
    public BucketEndpoint Through(BucketEndpoint endpoint) => endpoint with { Endpoint = Url };

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Stop();
        await _accepting.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        _stop.Dispose();
        _oneAtATime.Dispose();
    }

    private async Task AcceptAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            var client = await _listener.AcceptTcpClientAsync(_stop.Token);
            _ = RelayAsync(client);
        }
    }

    private async Task RelayAsync(TcpClient client)
    {
        using (client)
        using (var server = new TcpClient())
        {
            try
            {
                await server.ConnectAsync(_server.Host, _server.Port, _stop.Token);
                using var cut = CancellationTokenSource.CreateLinkedTokenSource(_stop.Token);
                var requests = client.GetStream().CopyToAsync(server.GetStream(), cut.Token);
                var responses = ResponsesAsync(server.GetStream(), client.GetStream(), cut.Token);
                await Task.WhenAny(requests, responses);
                await cut.CancelAsync();
            }
            catch (Exception e) when (e is IOException or SocketException or OperationCanceledException)
            {
                // A side closed, or the test cut it: the other side sees the connection end.
            }
        }
    }

    private async Task ResponsesAsync(Stream from, Stream to, CancellationToken cancellationToken)
    {
        var buffer = new byte[64 * 1024];
        long carried = 0;
        while (true)
        {
            var read = await from.ReadAsync(buffer, cancellationToken);
            if (read == 0)
                return;
            var before = carried;
            carried += read;
            if (carried / _every > before / _every && await ActAsync())
                return;
            await to.WriteAsync(buffer.AsMemory(0, read), cancellationToken);
        }
    }

    // Actions run one at a time, as a test reads them in order.
    private async Task<bool> ActAsync()
    {
        await _oneAtATime.WaitAsync();
        try
        {
            return await _action();
        }
        finally
        {
            _oneAtATime.Release();
        }
    }
}
