namespace Lifeboat.IntegrationTests.Storage;

/// <summary>Deterministic bytes by position, so big objects and their ranges are checked without holding them.</summary>
internal static class BytePattern
{
    public static byte At(long position) => (byte)(((ulong)position * 0x9E3779B97F4A7C15UL) >> 56 ^ (ulong)position);

    public static void Fill(Span<byte> buffer, long position)
    {
        for (var i = 0; i < buffer.Length; i++)
            buffer[i] = At(position + i);
    }

    public static byte[] Bytes(long position, int count)
    {
        var bytes = new byte[count];
        Fill(bytes, position);
        return bytes;
    }

    /// <summary>Writes <paramref name="size"/> pattern bytes in chunks of an odd size, so writes straddle part boundaries.</summary>
    public static async Task WriteAsync(Stream destination, long size, CancellationToken cancellationToken)
    {
        var chunk = new byte[(1024 * 1024) + 7];
        for (long written = 0; written < size;)
        {
            var count = (int)Math.Min(chunk.Length, size - written);
            Fill(chunk.AsSpan(0, count), written);
            await destination.WriteAsync(chunk.AsMemory(0, count), cancellationToken);
            written += count;
        }
    }

    /// <summary>Reads <paramref name="source"/> to its end and checks it holds the pattern from <paramref name="start"/>; returns the byte count.</summary>
    public static async Task<long> VerifyAsync(Stream source, long start, CancellationToken cancellationToken)
    {
        var buffer = new byte[256 * 1024];
        long position = start;
        int read;
        while ((read = await source.ReadAsync(buffer, cancellationToken)) > 0)
        {
            for (var i = 0; i < read; i++)
            {
                if (buffer[i] != At(position + i))
                    Assert.Fail($"byte at offset {position + i} is {buffer[i]}, expected {At(position + i)}");
            }

            position += read;
        }

        return position - start;
    }
}
