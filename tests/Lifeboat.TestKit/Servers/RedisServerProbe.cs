using System.Globalization;
using System.Net.Sockets;
using System.Text;

namespace Lifeboat.TestKit.Servers;

/// <summary>
/// Asks a Redis server which process it is (INFO server's process_id), speaking the protocol itself so the kit needs
/// no client library. A PING would not do: any server on the port answers it, another test's included.
/// </summary>
internal static class RedisServerProbe
{
    // A server that accepts but never answers (not Redis, or hung) must not stall the start's own deadline.
    private static readonly TimeSpan AnswerTimeout = TimeSpan.FromSeconds(2);

    /// <summary>The process id the server on <paramref name="host"/>:<paramref name="port"/> reports, or null when none answers as Redis (yet).</summary>
    public static async Task<int?> ProcessIdAsync(string host, int port, string? password, CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(AnswerTimeout);
        try
        {
            using var client = new TcpClient();
            await client.ConnectAsync(host, port, timeout.Token);
            var stream = client.GetStream();
            await stream.WriteAsync(Request(password), timeout.Token);
            // Latin-1: one character per byte, so the bulk reply's length in bytes counts characters.
            using var reader = new StreamReader(stream, Encoding.Latin1);
            return await ReadProcessIdAsync(reader, authenticating: password is not null, timeout.Token);
        }
        catch (Exception e) when (e is SocketException or IOException
                                  || (e is OperationCanceledException && !cancellationToken.IsCancellationRequested))
        {
            return null;
        }
    }

    private static byte[] Request(string? password) =>
        Encoding.UTF8.GetBytes((password is null ? "" : Command("AUTH", password)) + Command("INFO", "server"));

    // RESP arrays of bulk strings: unlike an inline command, they carry any password, spaces and quotes included.
    private static string Command(params string[] words) =>
        $"*{words.Length}\r\n" + string.Concat(words.Select(word => $"${Encoding.UTF8.GetByteCount(word)}\r\n{word}\r\n"));

    private static async Task<int?> ReadProcessIdAsync(StreamReader reader, bool authenticating, CancellationToken cancellationToken)
    {
        // AUTH answers +OK or an error; INFO answers $LENGTH and that many bytes, or an error such as -NOAUTH.
        if (authenticating && (await reader.ReadLineAsync(cancellationToken))?.StartsWith('+') != true)
            return null;
        var header = await reader.ReadLineAsync(cancellationToken);
        if (header is null || !header.StartsWith('$')
            || !int.TryParse(header[1..], NumberStyles.None, CultureInfo.InvariantCulture, out var length))
            return null;
        var info = new char[length];
        await reader.ReadBlockAsync(info, cancellationToken);
        return ProcessIdIn(new string(info));
    }

    private static int? ProcessIdIn(string info) =>
        info.Split("\r\n").FirstOrDefault(line => line.StartsWith("process_id:", StringComparison.Ordinal)) is { } line
        && int.TryParse(line["process_id:".Length..], NumberStyles.None, CultureInfo.InvariantCulture, out var pid)
            ? pid
            : null;
}
