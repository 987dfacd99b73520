using Lifeboat.Storage;

namespace Lifeboat.Tests.Storage;

public class LengthLimitedStreamTests
{
    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(99)]
    [InlineData(100)]
    [InlineData(500)]
    public async Task Reads_at_most_the_limit_and_disposes_the_inner_stream(int limit)
    {
        var inner = new MemoryStream(Enumerable.Range(0, 100).Select(i => (byte)i).ToArray());
        var limited = new LengthLimitedStream(inner, limit);
        using var copy = new MemoryStream();

        await limited.CopyToAsync(copy, 7, TestContext.Current.CancellationToken);
        await limited.DisposeAsync();

        Assert.Equal(Enumerable.Range(0, Math.Min(limit, 100)).Select(i => (byte)i), copy.ToArray());
        Assert.False(inner.CanRead);
    }
}
