using System.Net.Sockets;
using System.Text;

namespace Lifeboat.TestKit.Servers;

/// <summary>Asks a Redis server whether it serves yet, speaking the protocol itself so the kit needs no client library.</summary>
internal static class RedisPing
{
    /// <summary>True when the server answers PING with PONG, or with NOAUTH when it wants a password: either way it serves.</summary>
    public static async Task<bool> AnswersAsync(string host, int port, CancellationToken cancellationToken)
    {
        try
        {
            using var client = new TcpClient();
            await client.ConnectAsync(host, port, cancellationToken);
            var stream = client.GetStream();
            await stream.WriteAsync("PING\r\n"u8.ToArray(), cancellationToken);
            var reply = new byte[64];
            var read = await stream.ReadAsync(reply, cancellationToken);
            var line = Encoding.ASCII.GetString(reply, 0, read);
            return line.StartsWith("+PONG", StringComparison.Ordinal) || line.StartsWith("-NOAUTH", StringComparison.Ordinal);
        }
        catch (SocketException)
        {
            return false;
        }
        catch (IOException)
        {
            return false;
        }
    }
}
