using System.Buffers;
using System.Buffers.Text;
using Lifeboat.Buckets;
using Lifeboat.Buckets.Index;

namespace Lifeboat.Tests.Buckets;

/// <summary>The external sort: bounded memory, sorted and stable output, re-readable result.</summary>
public sealed class SpillSorterTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("lifeboat-spill-").FullName;
    private readonly SpillDirectory _spill;

    public SpillSorterTests() => _spill = SpillDirectory.Create(_dir, DateTimeOffset.UtcNow);

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public void Dispose()
    {
        _spill.Dispose();
        Directory.Delete(_dir, recursive: true);
    }

    [Fact]
    public async Task A_million_records_sort_with_no_more_than_one_small_run_in_memory()
    {
        const int Count = 1_000_000, RunSize = 10_000;
        var sorter = new SpillSorter<long>(_spill, NumberCodec.Instance, Comparer<long>.Default, RunSize, fanIn: 16);
        var random = new Random(7);
        for (var i = 0; i < Count; i++)
            await sorter.AddAsync(random.NextInt64(0, 1L << 40), Ct);

        var sorted = await sorter.FinishAsync(Ct);

        long previous = -1, seen = 0;
        await foreach (var value in sorted.ReadAsync(Ct))
        {
            Assert.True(value >= previous, $"{value} came after {previous}");
            previous = value;
            seen++;
        }

        Assert.Equal(Count, seen);
        Assert.Equal(Count, sorted.Count);
        Assert.Equal(RunSize, sorter.PeakItemsInMemory);
        Assert.True(sorter.FilesWritten > 100, "100 runs and the merges of two passes");
        Assert.Single(Directory.GetFiles(_spill.Path)); // merged runs are deleted as they are consumed
    }

    [Fact]
    public async Task Records_of_one_key_keep_the_order_they_were_added_in()
    {
        var sorter = new SpillSorter<BucketObjectRecord>(_spill, IndexRecordCodec.Instance, RecordKeyOrder.Instance, runSize: 3, fanIn: 2);
        var t = DateTimeOffset.UnixEpoch;
        string[] keys = ["b", "a", "b", "caf\u00e9", "a", "b", "cafe\u0301", "\uE000", "🚀"];
        for (var i = 0; i < keys.Length; i++)
            await sorter.AddAsync(new BucketObjectRecord { Key = keys[i], VersionId = $"v{i}", LastModified = t }, Ct);

        var sorted = await sorter.FinishAsync(Ct);
        var twice = new List<string>();
        for (var pass = 0; pass < 2; pass++)
        {
            await foreach (var record in sorted.ReadAsync(Ct))
                twice.Add($"{record.Key}:{record.VersionId}");
        }

        string[] expected = ["a:v1", "a:v4", "b:v0", "b:v2", "b:v5", "cafe\u0301:v6", "caf\u00e9:v3", "\uE000:v7", "🚀:v8"];
        Assert.Equal([.. expected, .. expected], twice);
    }

    [Fact]
    public async Task Nothing_added_sorts_into_an_empty_file()
    {
        var sorter = new SpillSorter<long>(_spill, NumberCodec.Instance, Comparer<long>.Default);

        var sorted = await sorter.FinishAsync(Ct);

        Assert.Equal(0, sorted.Count);
        await foreach (var _ in sorted.ReadAsync(Ct))
            Assert.Fail("an empty sort yielded an item");
    }

    private sealed class NumberCodec : ISpillCodec<long>
    {
        public static NumberCodec Instance { get; } = new();

        public void Write(IBufferWriter<byte> output, long item)
        {
            var span = output.GetSpan(24);
            Utf8Formatter.TryFormat(item, span, out var written);
            span[written] = (byte)'\n';
            output.Advance(written + 1);
        }

        public long Read(ReadOnlySpan<byte> line) => Utf8Parser.TryParse(line, out long value, out _) ? value : throw new FormatException("not a number");
    }
}
