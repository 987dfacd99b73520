using Lifeboat.Buckets.Content;
using Lifeboat.Buckets.Index;
using Lifeboat.Storage;

namespace Lifeboat.Buckets.Check;

/// <summary>
/// What is wrong with a root's segment table as a table: each segment names a SHA-256 and holds records from its first
/// key to its last, and the segments follow one another in key order without sharing a key (a key's versions are never
/// split). A reader that trusts a table out of order would skip or repeat keys.
/// </summary>
public static class IndexRootOrder
{
    /// <summary>One line per problem of <paramref name="segments"/>; empty when the table is sound.</summary>
    public static IReadOnlyList<string> Problems(IReadOnlyList<IndexSegment> segments)
    {
        ArgumentNullException.ThrowIfNull(segments);
        var problems = new List<string>();
        for (var i = 0; i < segments.Count; i++)
        {
            var segment = segments[i];
            if (!ContentDigest.TryParse(segment.Sha256, out _))
                problems.Add($"segment {i + 1} is named '{segment.Sha256}', not a SHA-256");
            if (segment.Records <= 0)
                problems.Add($"segment {i + 1} holds {segment.Records} records");
            if (ObjectKeyComparer.Instance.Compare(segment.FirstKey, segment.LastKey) > 0)
                problems.Add($"segment {i + 1} starts at '{segment.FirstKey}', after its last key '{segment.LastKey}'");
            if (i > 0 && ObjectKeyComparer.Instance.Compare(segments[i - 1].LastKey, segment.FirstKey) >= 0)
                problems.Add($"segment {i + 1} starts at '{segment.FirstKey}', not after the last key '{segments[i - 1].LastKey}' of segment {i}");
        }

        return problems;
    }
}
