// stages FILE [STAGE...]: how fast each stage of lifeboat's backup data path runs on FILE (a
// pg_dump -Fc -Z0 archive), one after another, on this machine, with lifeboat's own code where it
// is public (EnvelopeWriter) and the same libraries where it is not (ZstdSharp, AesGcm,
// IncrementalHash). The child-* stages read FILE the way lifeboat reads pg_dump: from a child
// process's (here: cat's) standard output, with CopyToAsync and a 1 MiB buffer.
// Prints one TSV line per stage: stage, bytes in, bytes out, wall s, CPU s (user+sys, whole process),
// MB/s, peak RSS MB (process high-water mark so far: stages run in order, so it only grows).
using System.Diagnostics;
using System.Security.Cryptography;
using Lifeboat.Format;
using ZstdSharp;
using ZstdSharp.Unsafe;

const int Buffer = 1 << 20; // lifeboat's copy buffer (PostgresDumpBackup.CopyBuffer)

if (args.Length < 1)
{
    Console.Error.WriteLine("usage: stages FILE [read|sha256|zstd-w2|zstd-w0|aesgcm|envelope|envelope-w0|envelope-z0|child-read|child-envelope|child-read-sync|child-envelope-sync]...");
    return 2;
}

var file = args[0];
string[] stages = args.Length > 1 ? args[1..] : ["read", "sha256", "zstd-w2", "zstd-w0", "aesgcm", "envelope", "envelope-w0", "envelope-z0", "child-read", "child-read-sync", "child-envelope", "child-envelope-sync"];
long compressedHint = 0;

// Warm-up, untimed: the JIT's first tiers and zstd's tables, on the first 16 MiB.
// (STAGES_NO_WARMUP=1 leaves it out, so a single stage's peak RSS is its own.)
if (Environment.GetEnvironmentVariable("STAGES_NO_WARMUP") != "1")
using (var head = new FileStream(file, FileMode.Open, FileAccess.Read, FileShare.Read, Buffer))
{
    var buffer = new byte[16 << 20];
    var n = head.ReadAtLeast(buffer, buffer.Length, throwOnEndOfStream: false);
    Envelope(new MemoryStream(buffer, 0, n), new CountingNull(), new EnvelopeOptions(3, 1 << 20, 2));
    Sha(new MemoryStream(buffer, 0, n));
}

Console.WriteLine("stage\tbytes_in\tbytes_out\twall_s\tcpu_s\tMB_per_s\tpeak_rss_MB");
foreach (var stage in stages)
{
    using var input = new FileStream(file, FileMode.Open, FileAccess.Read, FileShare.Read, Buffer);
    var sink = new CountingNull();
    var process = Process.GetCurrentProcess();
    var cpu0 = process.TotalProcessorTime;
    var clock = Stopwatch.StartNew();
    long bytesIn = stage switch
    {
        "read" => Pump(input, sink),
        "sha256" => Sha(input),
        "zstd-w2" => Zstd(input, sink, 2),
        "zstd-w0" => Zstd(input, sink, 0),
        // AES-GCM runs on the compressed stream: seal as many 1 MiB chunks as zstd produced.
        "aesgcm" => Aes(input, compressedHint > 0 ? compressedHint : long.MaxValue),
        "envelope" => Envelope(input, sink, new EnvelopeOptions(3, 1 << 20, 2)),
        "envelope-w0" => Envelope(input, sink, new EnvelopeOptions(3, 1 << 20, 0)),
        "envelope-z0" => Envelope(input, sink, new EnvelopeOptions(0, 1 << 20, 0)),
        "child-read" => await FromChild(file, sink),
        "child-envelope" => await ChildEnvelope(file, sink),
        "child-read-sync" => FromChildSync(file, sink),
        "child-envelope-sync" => ChildEnvelopeSync(file, sink),
        _ => throw new ArgumentException($"unknown stage {stage}"),
    };
    clock.Stop();
    process.Refresh();
    var cpu = (process.TotalProcessorTime - cpu0).TotalSeconds;
    if (stage == "zstd-w2")
        compressedHint = sink.Count;
    var mbps = bytesIn / 1e6 / clock.Elapsed.TotalSeconds;
    Console.WriteLine(FormattableString.Invariant($"{stage}\t{bytesIn}\t{sink.Count}\t{clock.Elapsed.TotalSeconds:0.00}\t{cpu:0.00}\t{mbps:0}\t{process.PeakWorkingSet64 / 1e6:0}"));
}

return 0;

// As PostgresDumpBackup does: child.StandardOutput.CopyToAsync(destination, 1 MiB).
static async Task<long> FromChild(string file, Stream sink)
{
    var info = new ProcessStartInfo("cat") { RedirectStandardOutput = true, UseShellExecute = false };
    info.ArgumentList.Add(file);
    using var child = Process.Start(info)!;
    var counting = new CountingNull();
    await child.StandardOutput.BaseStream.CopyToAsync(new Tee(sink, counting), Buffer);
    await child.WaitForExitAsync();
    return counting.Count;
}

// The alternative: blocking reads of the same pipe (no epoll/thread-pool round trip per read),
// as a dedicated reader thread would do.
static long FromChildSync(string file, Stream sink)
{
    var info = new ProcessStartInfo("cat") { RedirectStandardOutput = true, UseShellExecute = false };
    info.ArgumentList.Add(file);
    using var child = Process.Start(info)!;
    var counting = new CountingNull();
    child.StandardOutput.BaseStream.CopyTo(new Tee(sink, counting), Buffer);
    child.WaitForExit();
    return counting.Count;
}

static long ChildEnvelopeSync(string file, Stream sink)
{
    using var key = DataKey.Generate();
    using var envelope = new EnvelopeWriter(sink, key, new EnvelopeOptions(3, 1 << 20, 2));
    var total = FromChildSync(file, envelope);
    envelope.Finish();
    return total;
}

static async Task<long> ChildEnvelope(string file, Stream sink)
{
    using var key = DataKey.Generate();
    await using var envelope = new EnvelopeWriter(sink, key, new EnvelopeOptions(3, 1 << 20, 2));
    var total = await FromChild(file, envelope);
    await envelope.FinishAsync(CancellationToken.None);
    return total;
}

static long Pump(Stream input, Stream sink)
{
    var buffer = new byte[Buffer];
    long total = 0;
    int n;
    while ((n = input.Read(buffer)) > 0)
    {
        sink.Write(buffer, 0, n);
        total += n;
    }

    return total;
}

static long Sha(Stream input)
{
    using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
    var buffer = new byte[Buffer];
    long total = 0;
    int n;
    while ((n = input.Read(buffer)) > 0)
    {
        hash.AppendData(buffer.AsSpan(0, n));
        total += n;
    }

    hash.GetHashAndReset();
    return total;
}

// As ZstdCompressingStream does for a large object: a compressor at level 3 with nbWorkers set, a
// CompressionStream with bufferSize 0 (write-through).
static long Zstd(Stream input, Stream sink, int workers)
{
    using var compressor = new Compressor(3);
    if (workers > 0)
        compressor.SetParameter(ZSTD_cParameter.ZSTD_c_nbWorkers, workers);
    // STAGES_ZSTD_JOBSIZE=BYTES: zstd's multi-threading job size (0 = zstd's default for the level).
    if (workers > 0 && int.TryParse(Environment.GetEnvironmentVariable("STAGES_ZSTD_JOBSIZE"), out var jobSize) && jobSize > 0)
        compressor.SetParameter(ZSTD_cParameter.ZSTD_c_jobSize, jobSize);
    long total;
    using (var z = new CompressionStream(sink, compressor, bufferSize: 0, preserveCompressor: true, leaveOpen: true))
        total = Pump(input, z);
    return total;
}

static long Aes(Stream input, long limit)
{
    using var aes = new AesGcm(RandomNumberGenerator.GetBytes(32), 16);
    var chunk = new byte[Buffer];
    var tag = new byte[16];
    var nonce = new byte[12];
    long total = 0;
    int n;
    while (total < limit && (n = input.ReadAtLeast(chunk, chunk.Length, throwOnEndOfStream: false)) > 0)
    {
        n = (int)Math.Min(n, limit - total);
        BitConverter.TryWriteBytes(nonce, total);
        aes.Encrypt(nonce, chunk.AsSpan(0, n), chunk.AsSpan(0, n), tag);
        total += n;
    }

    return total;
}

static long Envelope(Stream input, Stream sink, EnvelopeOptions options)
{
    using var key = DataKey.Generate();
    using var envelope = new EnvelopeWriter(sink, key, options);
    var total = Pump(input, envelope);
    envelope.Finish();
    return total;
}

internal sealed class CountingNull : Stream
{
    public long Count { get; private set; }

    public override bool CanRead => false;

    public override bool CanSeek => false;

    public override bool CanWrite => true;

    public override long Length => Count;

    public override long Position { get => Count; set => throw new NotSupportedException(); }

    public override void Flush()
    {
    }

    public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    public override void Write(byte[] buffer, int offset, int count) => Count += count;

    public override void Write(ReadOnlySpan<byte> buffer) => Count += buffer.Length;
}

internal sealed class Tee(Stream first, CountingNull counter) : Stream
{
    public override bool CanRead => false;

    public override bool CanSeek => false;

    public override bool CanWrite => true;

    public override long Length => throw new NotSupportedException();

    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

    public override void Flush()
    {
    }

    public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));

    public override void Write(ReadOnlySpan<byte> buffer)
    {
        first.Write(buffer);
        counter.Write(buffer);
    }

    public override async ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
    {
        await first.WriteAsync(buffer, cancellationToken);
        counter.Write(buffer.Span);
    }
}
