using System.Runtime.CompilerServices;

namespace Lifeboat.Buckets.Index;

/// <summary>A finished, sorted spill file; it can be read any number of times (one partition each, say).</summary>
public sealed class SortedSpillFile<T>(string path, long count, ISpillCodec<T> codec)
{
    /// <summary>Where it lies.</summary>
    public string Path { get; } = path;

    /// <summary>How many items it holds.</summary>
    public long Count { get; } = count;

    /// <summary>Streams the items in order.</summary>
    public async IAsyncEnumerable<T> ReadAsync([EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await using var file = SpillDirectory.OpenFile(Path);
        var lines = new LineReader(file);
        while (await lines.ReadLineAsync(cancellationToken) is { } line)
            yield return codec.Read(line.Span);
    }
}
