using Lifeboat.Buckets.Target;

namespace Lifeboat.Tests.Buckets;

/// <summary>A streamed PUT gets the last byte of stored content only after the content's end verified, so a wrong content is never completed.</summary>
public sealed class WithheldEndStreamTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Sound_content_is_handed_over_whole_and_then_ends()
    {
        var content = Enumerable.Range(1, 10).Select(i => (byte)i).ToArray();
        await using var stream = new WithheldEndStream("k", new EndCheckedStream(content, failAtEnd: false), content.Length);

        var copy = new MemoryStream();
        await stream.CopyToAsync(copy, Ct);

        Assert.Equal(content, copy.ToArray());
        Assert.Null(stream.Failure);
    }

    [Fact]
    public async Task Content_that_fails_at_its_end_never_hands_over_its_last_byte()
    {
        var content = new byte[10];
        await using var stream = new WithheldEndStream("photos/a.jpg", new EndCheckedStream(content, failAtEnd: true), content.Length);
        var handedOver = 0;

        var error = await Assert.ThrowsAsync<ContentUnreadableException>(async () =>
        {
            var buffer = new byte[4];
            int read;
            while ((read = await stream.ReadAsync(buffer, Ct)) > 0)
                handedOver += read;
        });

        Assert.Equal(8, handedOver);
        Assert.Equal("photos/a.jpg", error.Key);
        Assert.Equal("sha mismatch", error.Cause.Message);
        Assert.Same(error, stream.Failure);
    }

    [Theory]
    [InlineData(12, "the stored content of 'k' ended early")]
    [InlineData(8, "the stored content of 'k' holds more than the 8 bytes recorded")]
    public async Task Content_of_another_length_than_recorded_fails_before_its_last_recorded_byte(int recorded, string expected)
    {
        await using var stream = new WithheldEndStream("k", new EndCheckedStream(new byte[10], failAtEnd: false), recorded);

        var error = await Assert.ThrowsAsync<ContentUnreadableException>(() => stream.CopyToAsync(Stream.Null, Ct));

        Assert.Equal(expected, error.Message);
    }

    [Fact]
    public async Task Empty_content_is_read_to_its_end_so_a_failure_there_is_not_missed()
    {
        await using var stream = new WithheldEndStream("empty", new EndCheckedStream([], failAtEnd: true), 0);

        var error = await Assert.ThrowsAsync<ContentUnreadableException>(() => stream.CopyToAsync(Stream.Null, Ct));

        Assert.Equal("sha mismatch", error.Cause.Message);
    }

    [Fact]
    public async Task Content_recorded_as_empty_that_holds_bytes_fails()
    {
        await using var stream = new WithheldEndStream("k", new EndCheckedStream(new byte[3], failAtEnd: false), 0);

        var error = await Assert.ThrowsAsync<ContentUnreadableException>(() => stream.CopyToAsync(Stream.Null, Ct));

        Assert.Equal("the stored content of 'k' holds more than the 0 bytes recorded", error.Message);
    }

    /// <summary>Bytes that, like stored content, are checked when read to their end: the read that finds the end fails when they do not verify.</summary>
    private sealed class EndCheckedStream(byte[] content, bool failAtEnd) : MemoryStream(content, writable: false)
    {
        public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
        {
            var read = await base.ReadAsync(buffer, cancellationToken);
            if (read == 0 && failAtEnd)
                throw new LifeboatException("sha mismatch");
            return read;
        }
    }
}
