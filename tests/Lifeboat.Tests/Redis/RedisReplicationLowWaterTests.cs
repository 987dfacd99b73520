using System.Diagnostics;
using System.Text;
using Lifeboat.Redis;

namespace Lifeboat.Tests.Redis;

/// <summary>
/// While the payload streams, a receive waits for a low-water mark of bytes rather than waking for every segment; it
/// must never hold back bytes that stop short of the mark: the end of a diskless payload from a server that keeps the
/// connection open, or a slow server's trickle.
/// </summary>
public sealed class RedisReplicationLowWaterTests
{
    // Far longer than any wait the test allows: a receive held back by the mark would fail on it, not merely run slow.
    private static readonly TimeSpan Idle = TimeSpan.FromSeconds(60);

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task The_end_of_a_diskless_payload_shorter_than_the_mark_is_taken_while_the_server_keeps_the_connection_open()
    {
        var payload = Payload(10_000);
        await using var server = ScriptedRedisServer.Start(async (connection, ct) =>
        {
            await connection.AnswerHandshakeAsync(ct);
            await connection.SendAsync($"$EOF:{Encoding.ASCII.GetString(ScriptedConnection.Mark)}\r\n", ct);
            await connection.SendAsync([.. payload, .. ScriptedConnection.Mark], ct);
            await connection.WaitForCloseAsync(ct);
        });

        var clock = Stopwatch.StartNew();
        var received = await ReceiveAsync(server.Port);

        Assert.Equal(payload, received);
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(5), $"the payload took {clock.Elapsed}");
    }

    [Fact]
    public async Task A_payload_with_a_length_shorter_than_the_mark_ends_while_the_server_keeps_the_connection_open()
    {
        var payload = Payload(10_000);
        await using var server = ScriptedRedisServer.Start(async (connection, ct) =>
        {
            await connection.AnswerHandshakeAsync(ct);
            await connection.SendAsync($"${payload.Length}\r\n", ct);
            await connection.SendAsync(payload, ct);
            await connection.WaitForCloseAsync(ct);
        });

        var clock = Stopwatch.StartNew();
        var received = await ReceiveAsync(server.Port);

        Assert.Equal(payload, received);
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(5), $"the payload took {clock.Elapsed}");
    }

    [Fact]
    public async Task A_payload_larger_than_the_mark_sent_in_small_bursts_with_pauses_arrives_whole()
    {
        // 4 MiB in 100 KiB bursts, well under the mark, with pauses longer than a receive waits for it.
        var payload = Payload(4 << 20);
        await using var server = ScriptedRedisServer.Start(async (connection, ct) =>
        {
            await connection.AnswerHandshakeAsync(ct);
            await connection.SendAsync($"$EOF:{Encoding.ASCII.GetString(ScriptedConnection.Mark)}\r\n", ct);
            for (var at = 0; at < payload.Length; at += 100 << 10)
            {
                await connection.SendAsync(payload.AsMemory(at, Math.Min(100 << 10, payload.Length - at)), ct);
                await Task.Delay(at % (400 << 10) == 0 ? 120 : 1, ct);
            }

            await connection.SendAsync(ScriptedConnection.Mark, ct);
            await connection.WaitForCloseAsync(ct);
        });

        var received = await ReceiveAsync(server.Port);

        Assert.Equal(payload, received);
    }

    private static byte[] Payload(int length)
    {
        var bytes = new byte[length];
        new Random(length).NextBytes(bytes);
        return bytes;
    }

    private static async Task<byte[]> ReceiveAsync(int port)
    {
        await using var stream = await RedisReplicationStream.OpenAsync(new RedisSource { Name = "scripted", Host = "127.0.0.1", Port = port }, Idle, Ct);
        var received = new MemoryStream();
        await stream.CopyToAsync(received, Ct);
        return received.ToArray();
    }
}
