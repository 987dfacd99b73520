using Lifeboat.IO;

namespace Lifeboat.Tests.IO;

public class ReadAheadStreamTests
{
    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(4096)]
    [InlineData(4097)]
    [InlineData(100_003)]
    public async Task Returns_every_byte_in_order_to_reads_of_any_size(int size)
    {
        var data = new byte[size];
        new Random(size).NextBytes(data);
        using var stream = new ReadAheadStream(new TricklingStream(data), bufferSize: 4096, depth: 2);

        var received = new MemoryStream();
        var buffer = new byte[777];
        int read;
        while ((read = size % 2 == 0 ? stream.Read(buffer) : await stream.ReadAsync(buffer, TestContext.Current.CancellationToken)) > 0)
            received.Write(buffer, 0, read);

        Assert.Equal(data, received.ToArray());
        Assert.Equal(0, stream.Read(buffer));
    }

    [Fact]
    public async Task The_inner_streams_failure_reaches_the_reader_as_it_was_thrown_after_the_bytes_before_it()
    {
        using var stream = new ReadAheadStream(new TricklingStream(new byte[50_000]) { FailAfter = 20_000 }, bufferSize: 4096, depth: 2);

        var received = new MemoryStream();
        var error = await Assert.ThrowsAsync<IOException>(() => stream.CopyToAsync(received, TestContext.Current.CancellationToken));

        Assert.Equal("source broke", error.Message);
        Assert.Equal(16_384, received.Length); // the four whole buffers read before the failure
    }

    [Fact]
    public void Disposing_stops_the_reading_task_before_it_reads_the_whole_source()
    {
        var source = new TricklingStream(new byte[10_000_000]);
        var stream = new ReadAheadStream(source, bufferSize: 4096, depth: 2);
        Assert.Equal(100, stream.Read(new byte[100]));

        stream.Dispose();
        var stoppedAt = source.Position;

        Assert.True(stoppedAt < 100 * 4096, $"the reading task went on to byte {stoppedAt}");
        Thread.Sleep(50);
        Assert.Equal(stoppedAt, source.Position);
    }

    /// <summary>Returns at most 1,000 bytes a read, so the read-ahead has to gather whole buffers.</summary>
    private sealed class TricklingStream(byte[] data) : ReadOnlyStream
    {
        private int position;

        public int FailAfter { get; init; } = int.MaxValue;

        public override long Position => Volatile.Read(ref position);

        public override int Read(Span<byte> buffer)
        {
            if (position >= FailAfter)
                throw new IOException("source broke");
            var n = Math.Min(Math.Min(buffer.Length, 1000), Math.Min(data.Length, FailAfter) - position);
            data.AsSpan(position, n).CopyTo(buffer);
            Volatile.Write(ref position, position + n);
            return n;
        }

        public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
            ValueTask.FromResult(Read(buffer.Span));
    }
}
