using System.Globalization;

namespace Lifeboat.Postgres.Wal;

/// <summary>
/// Another timeline that went on writing after the one recovery follows began: two live branches, as a scratch copy
/// restored with its archiving kept on, or an old primary still running after a failover, leave them. "latest" follows
/// the newest timeline, which is right after a real failover and wrong after a scratch copy; only the operator knows.
/// </summary>
/// <param name="Followed">The timeline recovery follows.</param>
/// <param name="Other">The timeline that went on writing.</param>
/// <param name="LeftAt">Where <paramref name="Followed"/>'s history left <paramref name="Other"/>, when it is an ancestor; null for a branch beside it.</param>
/// <param name="SegmentsSince">How many of <paramref name="Other"/>'s segments that recovery does not read were archived after <paramref name="Followed"/> began.</param>
/// <param name="ArchivedUntil">The newest segment archived on <paramref name="Other"/>.</param>
public sealed record TimelineFork(uint Followed, uint Other, WalPosition? LeftAt, int SegmentsSince, WalFileName ArchivedUntil)
{
    /// <summary>
    /// The liveliest other timeline of <paramref name="contents"/> that archived WAL off the path along
    /// <paramref name="followed"/> after that timeline began (its history file was stored); null when none did. WAL an
    /// ancestor archived past the point its child left it before the child began is no fork: that is what a
    /// point-in-time recovery leaves behind on purpose.
    /// </summary>
    public static TimelineFork? Of(TimelineHistory followed, WalArchiveContents contents)
    {
        if (contents.HistoryArchivedAt(followed.Timeline) is not { } began)
            return null;
        TimelineFork? liveliest = null;
        var newest = DateTimeOffset.MinValue;
        foreach (var timeline in contents.Timelines.Where(t => t != followed.Timeline))
        {
            var leftAt = followed.Branches.FirstOrDefault(b => b.Timeline == timeline)?.End;
            var since = OffThePath(contents, timeline, leftAt).Where(n => contents.ArchivedAt(timeline, n) > began).ToList();
            if (since.Count == 0)
                continue;
            var latest = since.Max(n => contents.ArchivedAt(timeline, n)!.Value);
            if (latest <= newest)
                continue;
            newest = latest;
            liveliest = new TimelineFork(followed.Timeline, timeline, leftAt, since.Count, contents.NameOf(timeline, contents.Segments(timeline).Max()));
        }

        return liveliest;
    }

    /// <summary>What the operator can do: recover along the other timeline instead.</summary>
    public Remedy Remedy => new(RemedyAction.ChooseTargetTimeline, Other.ToString(CultureInfo.InvariantCulture));

    /// <summary>One sentence naming both timelines.</summary>
    public string Text
    {
        get
        {
            var relation = LeftAt is { } position ? $"which timeline {Followed} left at {position}" : $"a branch beside timeline {Followed}";
            return $"two timelines went on writing: timeline {Other} ({relation}) archived {SegmentsSince} segment(s) after timeline {Followed} began, up to {ArchivedUntil.Text}; "
                + $"recovery follows timeline {Followed}, the latest, and reads none of them (a scratch copy restored with its archiving kept on, or an old primary still running after a failover, makes such a branch)";
        }
    }

    // An ancestor's segments from the one holding the point where the history left it; all of a timeline off the history.
    private static IEnumerable<ulong> OffThePath(WalArchiveContents contents, uint timeline, WalPosition? leftAt) =>
        leftAt is { } end ? contents.Segments(timeline).Where(n => n >= end.Value / (ulong)contents.SegmentSize) : contents.Segments(timeline);
}
