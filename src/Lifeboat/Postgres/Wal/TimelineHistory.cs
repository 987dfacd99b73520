using System.Globalization;

namespace Lifeboat.Postgres.Wal;

/// <summary>
/// A timeline's history file (TTTTTTTT.history): for each ancestor timeline, the position where the next one branched
/// off it. Recovery may follow a timeline only from a backup whose timeline and position its history contains.
/// </summary>
/// <param name="Timeline">The timeline the file describes.</param>
/// <param name="Branches">Each ancestor, oldest first, with the position where its child began.</param>
public sealed record TimelineHistory(uint Timeline, IReadOnlyList<TimelineBranch> Branches)
{
    /// <summary>Parses the file's text as PostgreSQL writes it (readTimeLineHistory): comments and blank lines aside, "parent TAB position TAB reason".</summary>
    public static TimelineHistory Parse(uint timeline, string text)
    {
        var branches = new List<TimelineBranch>();
        foreach (var raw in text.Split('\n'))
        {
            var line = raw.Trim();
            if (line.Length == 0 || line[0] == '#')
                continue;
            var fields = line.Split((char[])['\t', ' '], 3, StringSplitOptions.RemoveEmptyEntries);
            if (fields.Length < 2 || !uint.TryParse(fields[0], NumberStyles.None, CultureInfo.InvariantCulture, out var parent) || WalPosition.TryParse(fields[1]) is not { } position)
                throw Invalid(timeline, $"line '{line}' is not 'timeline position reason'");
            if (parent >= timeline || (branches.Count > 0 && (parent <= branches[^1].Timeline || position < branches[^1].End)))
                throw Invalid(timeline, $"line '{line}' does not follow the lines before it");
            branches.Add(new TimelineBranch(parent, position, fields.Length == 3 ? fields[2].Trim() : ""));
        }

        return new TimelineHistory(timeline, branches);
    }

    /// <summary>
    /// True when WAL at <paramref name="position"/> on <paramref name="timeline"/> leads into this timeline: the timeline is
    /// this one, or an ancestor that this one branched from at or after that position.
    /// </summary>
    public bool Contains(uint timeline, WalPosition position)
    {
        if (timeline == Timeline)
            return true;
        var branch = Branches.FirstOrDefault(b => b.Timeline == timeline);
        return branch is not null && position <= branch.End;
    }

    /// <summary>The timeline that WAL at <paramref name="position"/> belongs to when following this timeline's history.</summary>
    public uint TimelineAt(WalPosition position) => Branches.FirstOrDefault(b => position < b.End)?.Timeline ?? Timeline;

    private static LifeboatException Invalid(uint timeline, string why) =>
        new($"the history file of timeline {timeline} is damaged: {why}", "compare it with the one in the server's pg_wal directory");
}

/// <summary>One ancestor in a timeline's history.</summary>
/// <param name="Timeline">The ancestor timeline.</param>
/// <param name="End">Where the next timeline branched off it: its WAL up to here belongs to the history.</param>
/// <param name="Reason">What PostgreSQL wrote about the switch (e.g. "before 2026-12-03 10:42:35.445144+00").</param>
public sealed record TimelineBranch(uint Timeline, WalPosition End, string Reason);
