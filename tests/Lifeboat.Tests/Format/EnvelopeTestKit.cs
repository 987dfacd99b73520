using Lifeboat.Format;

namespace Lifeboat.Tests.Format;

/// <summary>Seals and opens envelopes in memory for tests.</summary>
internal static class EnvelopeTestKit
{
    /// <summary>Small chunks and level-1 single-threaded zstd: many chunks from little data, quickly.</summary>
    public static EnvelopeOptions Small(bool compressed, int chunkSize = 64) =>
        new(CompressionLevel: compressed ? 1 : 0, ChunkSize: chunkSize, Workers: 0);

    public static async Task<byte[]> SealAsync(byte[] plaintext, DataKey key, EnvelopeOptions options, int writeSize = int.MaxValue)
    {
        using var stored = new MemoryStream();
        await using (var writer = new EnvelopeWriter(stored, key, options))
        {
            for (var offset = 0; offset < plaintext.Length; offset += writeSize)
            {
                await writer.WriteAsync(plaintext.AsMemory(offset, Math.Min(writeSize, plaintext.Length - offset)), TestContext.Current.CancellationToken);
            }

            await writer.FinishAsync(TestContext.Current.CancellationToken);
        }

        return stored.ToArray();
    }

    public static byte[] Seal(byte[] plaintext, DataKey key, EnvelopeOptions options)
    {
        using var stored = new MemoryStream();
        using (var writer = new EnvelopeWriter(stored, key, options))
        {
            writer.Write(plaintext);
            writer.Finish();
        }

        return stored.ToArray();
    }

    public static async Task<byte[]> OpenAsync(byte[] stored, DataKey key, int readSize = 4096, bool readAhead = false)
    {
        using var source = new MemoryStream(stored);
        await using var reader = new EnvelopeReader(source, KeysOf(key), "test/object", readAhead);
        using var plaintext = new MemoryStream();
        var buffer = new byte[readSize];
        int read;
        while ((read = await reader.ReadAsync(buffer, TestContext.Current.CancellationToken)) > 0)
        {
            plaintext.Write(buffer, 0, read);
        }

        return plaintext.ToArray();
    }

    /// <summary>Reads with the synchronous path, collecting whatever plaintext came out before any exception.</summary>
    public static byte[] OpenSync(byte[] stored, DataKey key, MemoryStream received, int readSize = 4096, bool readAhead = false)
    {
        using var source = new MemoryStream(stored);
        using var reader = new EnvelopeReader(source, KeysOf(key), "test/object", readAhead);
        var buffer = new byte[readSize];
        int read;
        while ((read = reader.Read(buffer)) > 0)
        {
            received.Write(buffer, 0, read);
        }

        return received.ToArray();
    }

    public static Func<string, DataKey?> KeysOf(DataKey key) => id => id == key.Id ? key : null;

    /// <summary>Bytes that compress somewhat, like logs or dumps: words from a small vocabulary and numbers.</summary>
    public static byte[] TextLike(int size, int seed)
    {
        var random = new Random(seed);
        var words = new string[256];
        for (var i = 0; i < words.Length; i++)
        {
            words[i] = new string((char)('a' + random.Next(26)), 1 + random.Next(3)) + random.Next(1000).ToString(System.Globalization.CultureInfo.InvariantCulture);
        }

        var bytes = new byte[size];
        var position = 0;
        while (position < size)
        {
            var word = random.Next(8) == 0 ? random.Next().ToString("x", System.Globalization.CultureInfo.InvariantCulture) : words[random.Next(words.Length)];
            foreach (var c in word)
            {
                if (position == size)
                {
                    break;
                }

                bytes[position++] = (byte)c;
            }

            if (position < size)
            {
                bytes[position++] = random.Next(12) == 0 ? (byte)'\n' : (byte)' ';
            }
        }

        return bytes;
    }

    public static byte[] RandomBytes(int size, int seed)
    {
        var bytes = new byte[size];
        new Random(seed).NextBytes(bytes);
        return bytes;
    }
}
