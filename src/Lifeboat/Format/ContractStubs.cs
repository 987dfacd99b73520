// TEMPORARY: stands in for the format branch until it merges. Delete on merge.
#pragma warning disable CS1591, CA1822, IDE0052, CA2213, CA1001
namespace Lifeboat.Format;

public sealed class DataKey : IDisposable
{
    public static DataKey Generate() => new();
    public string Id { get; } = "0000000000000000";
    public void Dispose() { }
}

public abstract class KeySecret
{
    public static KeySecret FromKeyFile(string path) => throw new NotImplementedException(path);
    public static KeySecret FromPassphrase(string passphrase) => throw new NotImplementedException(passphrase);
}

public static class KeyFile
{
    public static void Create(string path) => throw new NotImplementedException(path);
}

public sealed class KeySlot
{
    public static KeySlot Create(DataKey key, KeySecret secret) => throw new NotImplementedException();
    public DataKey? TryOpen(KeySecret secret) => throw new NotImplementedException();
    public string Id { get; } = "";
    public string Kind { get; } = "";
    public byte[] ToJson() => throw new NotImplementedException();
    public static KeySlot FromJson(ReadOnlySpan<byte> json, string source) => throw new NotImplementedException(source);
}

public sealed record EnvelopeOptions(int CompressionLevel = 3, int ChunkSize = 1 << 20, int Workers = 2);

public sealed class EnvelopeWriter(Stream destination, DataKey key, EnvelopeOptions options) : Stream
{
    public Task FinishAsync(CancellationToken ct) => Task.CompletedTask;
    public long PlaintextBytes { get; }
    public long StoredBytes { get; }
    public string PlaintextSha256 { get; } = "";
    public override bool CanRead => false;
    public override bool CanSeek => false;
    public override bool CanWrite => true;
    public override long Length => 0;
    public override long Position { get; set; }
    public override void Flush() { }
    public override int Read(byte[] buffer, int offset, int count) => 0;
    public override long Seek(long offset, SeekOrigin origin) => 0;
    public override void SetLength(long value) { }
    public override void Write(byte[] buffer, int offset, int count) => destination.Write(buffer, offset, count);
    public DataKey Key => key;
    public EnvelopeOptions Options => options;
}

public sealed class EnvelopeReader(Stream source, Func<string, DataKey?> keyById, string objectName) : Stream
{
    public long PlaintextBytes { get; }
    public string PlaintextSha256 { get; } = "";
    public override bool CanRead => true;
    public override bool CanSeek => false;
    public override bool CanWrite => false;
    public override long Length => 0;
    public override long Position { get; set; }
    public override void Flush() { }
    public override int Read(byte[] buffer, int offset, int count) => source.Read(buffer, offset, count);
    public override long Seek(long offset, SeekOrigin origin) => 0;
    public override void SetLength(long value) { }
    public override void Write(byte[] buffer, int offset, int count) { }
    public Func<string, DataKey?> Keys => keyById;
    public string Name => objectName;
}

public sealed class EnvelopeCorruptException(string message) : LifeboatException(message);
