using System.IO.Compression;

namespace Lifeboat.Tests.Postgres.Wal;

/// <summary>The WAL segment PostgreSQL 15 wrote for these tests (TestData/wal/README.md says what it holds).</summary>
internal static class WalFixture
{
    /// <summary>Its file name.</summary>
    public const string Name = "000000010000000000000007";

    /// <summary>Its bytes, a fresh copy each time.</summary>
    public static byte[] Segment()
    {
        using var file = File.OpenRead(Path.Combine(AppContext.BaseDirectory, "TestData", "wal", Name + ".gz"));
        using var gzip = new GZipStream(file, CompressionMode.Decompress);
        using var bytes = new MemoryStream();
        gzip.CopyTo(bytes);
        return bytes.ToArray();
    }
}
