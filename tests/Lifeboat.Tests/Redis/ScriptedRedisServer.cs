using System.Net;
using System.Net.Sockets;

namespace Lifeboat.Tests.Redis;

/// <summary>
/// A one-connection TCP server on the loopback that plays a script written in the test: it reads the client's RESP
/// commands and answers with exactly the bytes the test chooses, split and paced as it chooses. For the replication
/// reader's edge cases a real redis-server cannot be made to produce on demand.
/// </summary>
internal sealed class ScriptedRedisServer : IAsyncDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly Task _run;
    private readonly CancellationTokenSource _stop = new();

    private ScriptedRedisServer(Func<ScriptedConnection, CancellationToken, Task> script)
    {
        _listener.Start();
        _run = RunAsync(script);
    }

    public int Port => ((IPEndPoint)_listener.LocalEndpoint).Port;

    /// <summary>Starts listening; <paramref name="script"/> plays the first connection.</summary>
    public static ScriptedRedisServer Start(Func<ScriptedConnection, CancellationToken, Task> script) => new(script);

    /// <summary>Waits for the script to end and throws what it threw (a test's server-side assertion).</summary>
    public Task Finished => _run;

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Stop();
        try
        {
            await _run;
        }
        catch (Exception e) when (e is OperationCanceledException or IOException or SocketException or ObjectDisposedException)
        {
            // The client may have closed first; the test has its answer already.
        }

        _stop.Dispose();
    }

    private async Task RunAsync(Func<ScriptedConnection, CancellationToken, Task> script)
    {
        using var client = await _listener.AcceptTcpClientAsync(_stop.Token);
        client.NoDelay = true;
        await using var connection = new ScriptedConnection(client.GetStream());
        await script(connection, _stop.Token);
    }
}
