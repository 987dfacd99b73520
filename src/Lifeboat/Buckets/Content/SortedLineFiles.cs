using System.Text;
using System.Text.Json;
using Lifeboat.Storage;

namespace Lifeboat.Buckets.Content;

/// <summary>
/// Merges local files of JSON lines, each already sorted by its lines' <c>key</c> member, into one sorted file, at
/// most <see cref="FanIn"/> files at a time: memory is one buffer per open file, however many lines there are.
/// Lines of one key keep the order of the files they came from.
/// </summary>
internal static class SortedLineFiles
{
    /// <summary>Files open at once in one merge pass.</summary>
    public const int FanIn = 64;

    private const int BufferSize = 64 << 10;
    private static readonly UTF8Encoding Utf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    /// <summary>Merges <paramref name="files"/> (deleting them) into a new file in <paramref name="directory"/>; returns its path.</summary>
    public static async Task<string> MergeAsync(IReadOnlyList<string> files, string directory, CancellationToken cancellationToken)
    {
        var level = files.ToList();
        var pass = 0;
        do
        {
            // Consecutive groups, merged in order: an earlier file's lines stay ahead of a later one's at every level.
            var next = new List<string>();
            for (var first = 0; first < Math.Max(level.Count, 1); first += FanIn)
            {
                var batch = level.Skip(first).Take(FanIn).ToList();
                var merged = Path.Combine(directory, $"merged-{pass}-{next.Count}.jsonl");
                await MergeOnceAsync(batch, merged, cancellationToken);
                foreach (var file in batch)
                    File.Delete(file);
                next.Add(merged);
            }

            level = next;
            pass++;
        }
        while (level.Count > 1);

        return level[0];
    }

    /// <summary>The <c>key</c> member of one JSON line.</summary>
    public static string KeyOf(string line)
    {
        var reader = new Utf8JsonReader(Encoding.UTF8.GetBytes(line));
        if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
            throw new JsonException("a journal line is not a JSON object");
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            var isKey = reader.ValueTextEquals("key"u8);
            reader.Read();
            if (isKey && reader.TokenType == JsonTokenType.String)
                return reader.GetString()!;
            reader.Skip();
        }

        throw new JsonException("a journal line has no string member 'key'");
    }

    /// <summary>Reads a sorted line file line by line.</summary>
    public static async IAsyncEnumerable<string> ReadLinesAsync(string path, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken)
    {
        using var reader = new StreamReader(path, Utf8, detectEncodingFromByteOrderMarks: false, BufferSize);
        while (await reader.ReadLineAsync(cancellationToken) is { } line)
        {
            if (line.Length > 0)
                yield return line;
        }
    }

    /// <summary>Creates a private file for lines.</summary>
    public static StreamWriter CreateWriter(string path) =>
        new(new FileStream(path, PrivateFiles.NewFileOptions(BufferSize)), Utf8, BufferSize);

    private static async Task MergeOnceAsync(List<string> inputs, string output, CancellationToken cancellationToken)
    {
        var readers = inputs.Select(path => ReadLinesAsync(path, cancellationToken).GetAsyncEnumerator(cancellationToken)).ToList();
        try
        {
            // Ordered by key, then by input index: equal keys leave in input order.
            var heads = new PriorityQueue<(string Line, int Input), (string Key, int Input)>(new HeadOrder());
            for (var i = 0; i < readers.Count; i++)
                await EnqueueNextAsync(heads, readers, i);
            await using var writer = CreateWriter(output);
            while (heads.TryDequeue(out var head, out _))
            {
                await writer.WriteLineAsync(head.Line.AsMemory(), cancellationToken);
                await EnqueueNextAsync(heads, readers, head.Input);
            }
        }
        finally
        {
            foreach (var reader in readers)
                await reader.DisposeAsync();
        }
    }

    private static async Task EnqueueNextAsync(PriorityQueue<(string, int), (string, int)> heads, List<IAsyncEnumerator<string>> readers, int input)
    {
        if (await readers[input].MoveNextAsync())
        {
            var line = readers[input].Current;
            heads.Enqueue((line, input), (KeyOf(line), input));
        }
    }

    private sealed class HeadOrder : IComparer<(string Key, int Input)>
    {
        public int Compare((string Key, int Input) x, (string Key, int Input) y)
        {
            var byKey = ObjectKeyComparer.Instance.Compare(x.Key, y.Key);
            return byKey != 0 ? byKey : x.Input.CompareTo(y.Input);
        }
    }
}
