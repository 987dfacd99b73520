using Lifeboat.Postgres.Wal;

namespace Lifeboat.Cli.Sources.Postgres;

/// <summary>Another timeline that went on writing after the one recovery follows began, as 'list --json' shows it beside the window.</summary>
/// <param name="Followed">The timeline recovery follows.</param>
/// <param name="Other">The timeline that went on writing (--target-timeline recovers along it).</param>
/// <param name="LeftAt">Where the followed timeline's history left it, when it is an ancestor; null for a branch beside it.</param>
/// <param name="SegmentsSince">Its segments recovery does not read that were archived after the followed timeline began.</param>
/// <param name="ArchivedUntil">Its newest archived segment.</param>
internal sealed record TimelineForkSummary(uint Followed, uint Other, string? LeftAt, int SegmentsSince, string ArchivedUntil)
{
    /// <summary>The summary of <paramref name="fork"/>.</summary>
    public static TimelineForkSummary Of(TimelineFork fork) =>
        new(fork.Followed, fork.Other, fork.LeftAt?.ToString(), fork.SegmentsSince, fork.ArchivedUntil.Text);
}
