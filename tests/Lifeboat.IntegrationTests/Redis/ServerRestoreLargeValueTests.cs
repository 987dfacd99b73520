using System.Buffers.Binary;
using Lifeboat.Redis.Rdb;
using Lifeboat.Redis.ServerRestore;
using static Lifeboat.IntegrationTests.Redis.HandMadeRdb;

namespace Lifeboat.IntegrationTests.Redis;

/// <summary>
/// A value is restored in one RESTORE argument: one longer than the target takes (proto-max-bulk-len), or than one
/// payload holds, is refused before anything is written.
/// </summary>
public sealed class ServerRestoreLargeValueTests
{
    private const int BigValue = 2 << 20;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static byte[] Rdb => Of(Database(0), StringKey("small", "v"), LargeStringKey("big", BigValue));

    [Fact]
    public async Task A_value_longer_than_the_target_takes_in_one_argument_is_refused_before_anything_is_written()
    {
        await using var redis = await RedisTestServers.StartAsync(Ct, null, "proto-max-bulk-len 1mb");
        await using var admin = await RedisTestServer.AdminAsync(redis);
        var target = await RedisTestServer.TargetAsync(redis);

        var e = await Assert.ThrowsAsync<LifeboatException>(() => RestoreAsync(target));

        Assert.Equal(
            $"the RESTORE of key 'big' (database 0) of the RDB would carry {1 + 5 + BigValue + 10} bytes, more than the 1048576 {target.Name} takes in one argument (proto-max-bulk-len)",
            e.Message);
        Assert.Equal(FailureKind.Usage, e.Kind);
        Assert.Empty(await RedisTestServer.KeyCountsAsync(admin));
    }

    [Fact]
    public async Task The_same_value_is_restored_whole_into_a_target_with_the_default_limit()
    {
        await using var redis = await RedisTestServer.StartAsync();
        await using var admin = await RedisTestServer.AdminAsync(redis);
        var target = await RedisTestServer.TargetAsync(redis);

        var result = await RestoreAsync(target);

        Assert.Equal(2, result.KeysRestored);
        Assert.Equal(BigValue, (long)await admin.GetDatabase(0).ExecuteAsync("STRLEN", "big"));
    }

    [Fact]
    public async Task A_value_larger_than_one_payload_holds_is_refused_before_anything_is_written_though_the_target_would_take_it()
    {
        await using var redis = await RedisTestServers.StartAsync(Ct, null, "proto-max-bulk-len 4gb");
        await using var admin = await RedisTestServer.AdminAsync(redis);
        var target = await RedisTestServer.TargetAsync(redis);
        // The type byte, a 9-byte length and the string: one byte more than a payload holds.
        var length = RdbDumpPayload.LargestValue - 9L;

        LifeboatException e;
        try
        {
            e = await Assert.ThrowsAsync<LifeboatException>(() => RdbServerRestore.RunAsync(
                _ => Task.FromResult<Stream>(new GiantValueRdb(length)), "the RDB", target, new ServerRestoreOptions(), SilentReporter.Instance, Ct));
        }
        finally
        {
            await target.Connection.DisposeAsync();
        }

        Assert.Equal(
            $"key 'giant' (database 0) of the RDB holds a value of {RdbDumpPayload.LargestValue + 1L} bytes (serialized), more than the {RdbDumpPayload.LargestValue} one RESTORE can carry",
            e.Message);
        Assert.Equal(FailureKind.Usage, e.Kind);
        Assert.Equal(RemedyAction.RestoreToFile, e.Remedy?.Action);
        Assert.Empty(await RedisTestServer.KeyCountsAsync(admin));
    }

    private static async Task<ServerRestoreResult> RestoreAsync(RestoreTarget target)
    {
        try
        {
            return await RdbServerRestore.RunAsync(RedisTestServer.Opener(Rdb), "the RDB", target, new ServerRestoreOptions(), SilentReporter.Instance, Ct);
        }
        finally
        {
            await target.Connection.DisposeAsync();
        }
    }

    /// <summary>
    /// An RDB of a small key and then a string of the length given, all zero bytes, made as it is read, never whole in
    /// memory; written without a checksum (its trailer is zero), as rdbchecksum no writes it.
    /// </summary>
    private sealed class GiantValueRdb : Stream
    {
        private readonly byte[] _head;
        private readonly byte[] _tail = [0xff, 0, 0, 0, 0, 0, 0, 0, 0];
        private readonly long _length;
        private long _position;

        public GiantValueRdb(long length)
        {
            _length = length;
            _head = [.. "REDIS0010"u8, .. Database(0), .. StringKey("small", "v"), 0x00, 0x05, .. "giant"u8, .. Length64(length)];
        }

        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => false;

        public override long Length => _head.Length + _length + _tail.Length;

        public override long Position
        {
            get => _position;
            set => throw new NotSupportedException();
        }

        public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

        public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) => ValueTask.FromResult(Read(buffer.Span));

        public override int Read(Span<byte> buffer)
        {
            var n = (int)Math.Min(buffer.Length, Length - _position);
            for (var done = 0; done < n;)
            {
                var at = _position + done;
                var part = buffer[done..n];
                int step;
                if (at < _head.Length)
                {
                    step = Math.Min(part.Length, _head.Length - (int)at);
                    _head.AsSpan((int)at, step).CopyTo(part);
                }
                else if (at < _head.Length + _length)
                {
                    step = (int)Math.Min(part.Length, _head.Length + _length - at);
                    part[..step].Clear();
                }
                else
                {
                    var inTail = (int)(at - _head.Length - _length);
                    step = Math.Min(part.Length, _tail.Length - inTail);
                    _tail.AsSpan(inTail, step).CopyTo(part);
                }

                done += step;
            }

            _position += n;
            return n;
        }

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        // The 64-bit length encoding: 0x81, then the length big-endian.
        private static byte[] Length64(long value)
        {
            var bytes = new byte[9];
            bytes[0] = 0x81;
            BinaryPrimitives.WriteInt64BigEndian(bytes.AsSpan(1), value);
            return bytes;
        }
    }
}
