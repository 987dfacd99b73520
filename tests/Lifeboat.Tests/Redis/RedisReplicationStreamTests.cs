using System.Diagnostics;
using System.Text;
using Lifeboat.Format;
using Lifeboat.IO;
using Lifeboat.Redis;
using Lifeboat.Repository;
using Lifeboat.Storage;
using Lifeboat.Tests.Redis.Rdb;
using Lifeboat.TestKit.Storage;

namespace Lifeboat.Tests.Redis;

/// <summary>
/// The replication reader against a scripted server that sends exactly the bytes a test chooses: the payload's two
/// forms with their awkward splits, keep-alives, refusals of SYNC, and an RDB whose checksum fails.
/// </summary>
public sealed class RedisReplicationStreamTests
{
    private static readonly TimeSpan Idle = TimeSpan.FromSeconds(10);

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static byte[] Rdb => RdbTestFiles.Bytes(RdbTestFiles.AllTypes);

    [Fact]
    public async Task A_diskless_payload_whose_end_mark_is_split_across_two_reads_ends_exactly_where_the_rdb_does()
    {
        var rdb = Rdb;
        await using var server = ScriptedRedisServer.Start(async (connection, ct) =>
        {
            await connection.AnswerHandshakeAsync(ct);
            await connection.SendAsync($"$EOF:{Encoding.ASCII.GetString(ScriptedConnection.Mark)}\r\n", ct);
            await connection.SendAsync([.. rdb, .. ScriptedConnection.Mark[..17]], ct);
            await Task.Delay(100, ct);
            await connection.SendAsync(ScriptedConnection.Mark[17..], ct);
            await connection.WaitForCloseAsync(ct);
        });

        var (received, stream) = await ReceiveAsync(server.Port);

        Assert.Equal(rdb, received);
        Assert.Null(stream.AnnouncedLength);
    }

    [Fact]
    public async Task Thousands_of_keep_alive_newlines_before_the_payload_are_skipped()
    {
        var rdb = Rdb;
        await using var server = ScriptedRedisServer.Start(async (connection, ct) =>
        {
            await connection.AnswerHandshakeAsync(ct);
            for (var i = 0; i < 50; i++)
                await connection.SendAsync(new string('\n', 100), ct);
            await connection.SendAsync($"${rdb.Length}\r\n", ct);
            await connection.SendAsync(rdb, ct);
            await connection.WaitForCloseAsync(ct);
        });

        var (received, stream) = await ReceiveAsync(server.Port);

        Assert.Equal(rdb, received);
        Assert.Equal(rdb.Length, stream.AnnouncedLength);
    }

    [Fact]
    public async Task A_payload_with_a_length_ends_at_that_length_though_the_replication_stream_goes_on_after_it()
    {
        var rdb = Rdb;
        await using var server = ScriptedRedisServer.Start(async (connection, ct) =>
        {
            await connection.AnswerHandshakeAsync(ct);
            // The length line, the RDB and the first command of the replication stream in one write.
            await connection.SendAsync([.. Encoding.ASCII.GetBytes($"${rdb.Length}\r\n"), .. rdb, .. Encoding.ASCII.GetBytes("*1\r\n$4\r\nPING\r\n")], ct);
            await connection.WaitForCloseAsync(ct);
        });

        var (received, _) = await ReceiveAsync(server.Port);

        Assert.Equal(rdb, received);
    }

    [Theory]
    [InlineData("-LOADING Redis is loading the dataset in memory", "the server is loading its data; retry in a moment")]
    [InlineData("-ERR Can't SYNC while not connected with my master", "look in the server's log for why")]
    public async Task A_refusal_of_sync_says_the_server_s_words_and_what_to_do(string reply, string hint)
    {
        await using var server = ScriptedRedisServer.Start(async (connection, ct) =>
        {
            await connection.AnswerHandshakeAsync(ct);
            await connection.SendAsync("\n\n" + reply + "\r\n", ct);
            await connection.WaitForCloseAsync(ct);
        });

        var e = await Assert.ThrowsAsync<LifeboatException>(() => RedisReplicationStream.OpenAsync(Source(server.Port), Idle, Ct));

        Assert.Equal($"redis 'scripted' (127.0.0.1:{server.Port}) refused SYNC: {reply[1..]}", e.Message);
        Assert.Equal(hint, e.Hint);
    }

    [Fact]
    public async Task A_connection_dropped_inside_a_payload_says_how_far_it_got()
    {
        var rdb = Rdb;
        await using var server = ScriptedRedisServer.Start(async (connection, ct) =>
        {
            await connection.AnswerHandshakeAsync(ct);
            await connection.SendAsync($"${rdb.Length}\r\n", ct);
            await connection.SendAsync(rdb.AsMemory(0, 1000), ct);
        });

        var e = await Assert.ThrowsAsync<LifeboatException>(() => ReceiveAsync(server.Port));

        Assert.StartsWith($"the connection to redis 'scripted' (127.0.0.1:{server.Port}) dropped after 1000 of the RDB's {rdb.Length} bytes", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_consumer_that_pauses_longer_than_the_idle_timeout_is_not_taken_for_a_silent_server()
    {
        var rdb = Rdb;
        var idle = TimeSpan.FromMilliseconds(300);
        await using var server = ScriptedRedisServer.Start(async (connection, ct) =>
        {
            await connection.AnswerHandshakeAsync(ct);
            await connection.SendAsync($"${rdb.Length}\r\n", ct);
            await connection.SendAsync(rdb.AsMemory(0, 100), ct);
            await Task.Delay(50, ct);
            await connection.SendAsync(rdb.AsMemory(100), ct);
            await connection.WaitForCloseAsync(ct);
        });
        await using var stream = await RedisReplicationStream.OpenAsync(Source(server.Port), idle, Ct);
        var received = new MemoryStream();
        var buffer = new byte[100];

        // The repository stalls after the first read (an upload waiting), longer than the server may stay silent.
        var first = await stream.ReadAsync(buffer, Ct);
        received.Write(buffer, 0, first);
        await Task.Delay(idle * 3, Ct);
        await stream.CopyToAsync(received, Ct);

        Assert.Equal(rdb, received.ToArray());
    }

    [Fact]
    public async Task A_reader_that_stops_taking_the_bytes_waiting_in_its_socket_is_seen_to_stall_and_one_that_takes_them_is_not()
    {
        // A yielding backup learns it fell behind only this way; a reader starved from its first receive lets no more
        // than its low-water mark (256 KiB) pile up in the socket, so the look must not wait for more than that.
        var payload = new byte[8 << 20];
        await using var server = ScriptedRedisServer.Start(async (connection, ct) =>
        {
            await connection.AnswerHandshakeAsync(ct);
            await connection.SendAsync($"${payload.Length}\r\n", ct);
            await connection.SendAsync(payload, ct);
            await connection.WaitForCloseAsync(ct);
        });
        await using var stream = await RedisReplicationStream.OpenAsync(Source(server.Port), Idle, Ct);
        var stall = new ReplicationStall(stream);
        Assert.False(stall.Look());
        var waited = Stopwatch.StartNew();
        while (stream.WaitingBytes == 0 && waited.Elapsed < TimeSpan.FromSeconds(10))
            await Task.Delay(10, Ct);

        var waiting = stream.WaitingBytes;
        var stalled = stall.Look();
        await stream.ReadExactlyAsync(new byte[2 << 20], Ct);
        var afterTaking = stall.Look();
        await stream.CopyToAsync(Stream.Null, Ct);
        stall.Look();

        Assert.True(stalled, $"{waiting} bytes waited, none taken, yet the look saw no stall");
        Assert.False(afterTaking);
        Assert.False(stall.Look());
    }

    [Fact]
    public async Task A_reader_that_keeps_up_with_a_server_sending_slowly_is_never_seen_to_stall_three_looks_in_a_row()
    {
        // Below the low-water mark a receive waits out its patience (20 ms) and takes what came: bytes wait between
        // receives, but some are taken between any two looks.
        var chunk = new byte[4 << 10];
        const int Chunks = 150;
        await using var server = ScriptedRedisServer.Start(async (connection, ct) =>
        {
            await connection.AnswerHandshakeAsync(ct);
            await connection.SendAsync($"${chunk.Length * Chunks}\r\n", ct);
            for (var i = 0; i < Chunks; i++)
            {
                await connection.SendAsync(chunk, ct);
                await Task.Delay(10, ct);
            }

            await connection.WaitForCloseAsync(ct);
        });
        await using var stream = await RedisReplicationStream.OpenAsync(Source(server.Port), Idle, Ct);
        var stall = new ReplicationStall(stream);

        var reading = stream.CopyToAsync(Stream.Null, Ct);
        var inARow = 0;
        var most = 0;
        while (!reading.IsCompleted)
        {
            inARow = stall.Look() ? inARow + 1 : 0;
            most = Math.Max(most, inARow);
            await Task.Delay(YieldingToServer.Interval, Ct);
        }

        await reading;
        Assert.True(most < YieldingToServer.BehindSamples, $"{most} looks in a row saw a stall");
    }

    [Fact]
    public async Task Bytes_the_server_sends_after_the_rdb_are_not_taken_for_a_stall()
    {
        // A server older than 7.0 ignores rdb-only and goes on with the replication stream; nothing reads it once the RDB is in.
        var rdb = Rdb;
        await using var server = ScriptedRedisServer.Start(async (connection, ct) =>
        {
            await connection.AnswerHandshakeAsync(ct);
            await connection.SendAsync($"${rdb.Length}\r\n", ct);
            await connection.SendAsync(rdb, ct);
            await Task.Delay(200, ct);
            await connection.SendAsync("*1\r\n$4\r\nPING\r\n", ct);
            await connection.WaitForCloseAsync(ct);
        });
        await using var stream = await RedisReplicationStream.OpenAsync(Source(server.Port), Idle, Ct);
        var stall = new ReplicationStall(stream);
        await stream.CopyToAsync(Stream.Null, Ct);
        var waited = Stopwatch.StartNew();
        while (stream.WaitingBytes == 0 && waited.Elapsed < TimeSpan.FromSeconds(10))
            await Task.Delay(10, Ct);

        var looks = Enumerable.Range(0, YieldingToServer.BehindSamples + 1).Select(_ => stall.Look()).ToList();

        Assert.True(stream.WaitingBytes > 0, "the bytes after the RDB never arrived");
        Assert.DoesNotContain(true, looks);
    }

    [Fact]
    public async Task An_rdb_whose_checksum_fails_as_it_comes_from_the_server_leaves_no_manifest()
    {
        var rdb = Rdb;
        rdb[^3] ^= 0x40;
        await using var server = ScriptedRedisServer.Start(async (connection, ct) =>
        {
            await connection.AnswerHandshakeAsync(ct);
            await connection.SendAsync($"${rdb.Length}\r\n", ct);
            await connection.SendAsync(rdb, ct);
            await connection.WaitForCloseAsync(ct);
        });
        var directory = Directory.CreateTempSubdirectory("lifeboat-redis-stream-").FullName;
        try
        {
            var keyFile = Path.Combine(directory, "repo.key");
            KeyFile.Create(keyFile);
            await using var repository = await BackupRepository.InitAsync(new FileObjectStore(Path.Combine(directory, "repo")), KeySecret.FromKeyFile(keyFile), new EnvelopeOptions(1, 1 << 16, 1), Ct);

            var e = await Assert.ThrowsAsync<LifeboatException>(() => new RedisBackup(repository, SilentReporter.Instance).RunAsync(Source(server.Port), Ct));

            Assert.StartsWith($"the RDB sent by redis 'scripted' (127.0.0.1:{server.Port}) fails its CRC64 check", e.Message, StringComparison.Ordinal);
            Assert.Empty(await repository.ListBackupsAsync(null, Ct));
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    private static RedisSource Source(int port) => new() { Name = "scripted", Host = "127.0.0.1", Port = port };

    private static async Task<(byte[] Received, RedisReplicationStream Stream)> ReceiveAsync(int port)
    {
        await using var stream = await RedisReplicationStream.OpenAsync(Source(port), Idle, Ct);
        var received = new MemoryStream();
        await stream.CopyToAsync(received, Ct);
        return (received.ToArray(), stream);
    }
}
