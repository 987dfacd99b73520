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
            // PostgreSQL's own checks only: a later switch point may lie before an earlier one (recovery from an
            // ancestor stopped before the target's fork), so positions are not required to grow.
            if (parent >= timeline || (branches.Count > 0 && parent <= branches[^1].Timeline))
                throw Invalid(timeline, $"line '{line}' does not follow the lines before it");
            branches.Add(new TimelineBranch(parent, position, fields.Length == 3 ? fields[2].Trim() : ""));
        }

        return new TimelineHistory(timeline, branches);
    }

    /// <summary>
    /// True when a base backup taken on <paramref name="timeline"/> can be recovered along this timeline: its
    /// checkpoint lies before the point where the history left that timeline, and its end (the minimum recovery
    /// point) lies on that timeline in this history — PostgreSQL's two checks, which otherwise stop recovery with
    /// "requested timeline is not a child of this server's history".
    /// </summary>
    public bool LeadsFrom(uint timeline, WalPosition checkpoint, WalPosition stop)
    {
        if (timeline == Timeline)
            return true;
        var branch = Branches.FirstOrDefault(b => b.Timeline == timeline);
        return branch is not null && checkpoint < branch.End && TimelineAt(new WalPosition(stop.Value - 1)) == timeline;
    }

    /// <summary>
    /// The timeline that WAL at <paramref name="position"/> belongs to when following this timeline's history: each
    /// ancestor from where its parent's line ended to where its own ends, newest first (tliOfPointInHistory).
    /// </summary>
    public uint TimelineAt(WalPosition position)
    {
        if (Branches.Count == 0 || position >= Branches[^1].End)
            return Timeline;
        for (var i = Branches.Count - 1; i >= 0; i--)
        {
            var begin = i == 0 ? new WalPosition(0) : Branches[i - 1].End;
            if (begin <= position && position < Branches[i].End)
                return Branches[i].Timeline;
        }

        return Branches[0].Timeline;
    }

    private static LifeboatException Invalid(uint timeline, string why) =>
        new($"the history file of timeline {timeline} is damaged: {why}", "compare it with the one in the server's pg_wal directory");
}

/// <summary>One ancestor in a timeline's history.</summary>
/// <param name="Timeline">The ancestor timeline.</param>
/// <param name="End">Where the next timeline branched off it: its WAL up to here belongs to the history.</param>
/// <param name="Reason">What PostgreSQL wrote about the switch (e.g. "before 2026-12-03 10:42:35.445144+00").</param>
public sealed record TimelineBranch(uint Timeline, WalPosition End, string Reason);
