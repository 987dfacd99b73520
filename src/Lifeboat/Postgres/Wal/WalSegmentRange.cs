namespace Lifeboat.Postgres.Wal;

/// <summary>A run of consecutive segment numbers, from <paramref name="First"/> to <paramref name="Last"/> inclusive.</summary>
/// <param name="First">The first segment's running number.</param>
/// <param name="Last">The last segment's running number.</param>
public readonly record struct WalSegmentRange(ulong First, ulong Last)
{
    /// <summary>How many segments the range holds.</summary>
    public ulong Count => Last - First + 1;

    /// <summary>The runs of numbers from <paramref name="from"/> to <paramref name="to"/> that <paramref name="present"/> lacks, in order.</summary>
    public static IReadOnlyList<WalSegmentRange> Missing(IEnumerable<ulong> present, ulong from, ulong to)
    {
        var missing = new List<WalSegmentRange>();
        var next = from;
        foreach (var number in present.Where(n => n >= from && n <= to).Order())
        {
            if (number > next)
                missing.Add(new WalSegmentRange(next, number - 1));
            next = number + 1;
        }

        if (next <= to)
            missing.Add(new WalSegmentRange(next, to));
        return missing;
    }

    /// <summary>The given numbers as runs of consecutive ones, in order.</summary>
    public static IReadOnlyList<WalSegmentRange> Runs(IEnumerable<ulong> numbers)
    {
        var runs = new List<WalSegmentRange>();
        foreach (var number in numbers.Order())
        {
            if (runs.Count > 0 && runs[^1].Last + 1 == number)
                runs[^1] = runs[^1] with { Last = number };
            else if (runs.Count == 0 || runs[^1].Last != number)
                runs.Add(new WalSegmentRange(number, number));
        }

        return runs;
    }

    /// <summary>"FIRST..LAST", or the one name of a single segment, each named on the timeline <paramref name="timelineOf"/> gives it.</summary>
    public string Describe(Func<ulong, uint> timelineOf, long segmentSize)
    {
        var first = WalFileName.OfNumber(timelineOf(First), First, segmentSize).Text;
        return Count == 1 ? first : $"{first}..{WalFileName.OfNumber(timelineOf(Last), Last, segmentSize).Text}";
    }

    /// <summary>"N segment(s)".</summary>
    public string CountText => Count == 1 ? "1 segment" : $"{Count} segments";
}
