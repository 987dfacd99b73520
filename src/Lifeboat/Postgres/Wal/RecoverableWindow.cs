namespace Lifeboat.Postgres.Wal;

/// <summary>Reads the record the archive keeps beside a segment, or null when there is none.</summary>
public delegate Task<WalSegmentRecord?> WalRecordReader(WalFileName segment, CancellationToken cancellationToken);

/// <summary>
/// The moments a source's cluster can be recovered to: from the oldest base backup whose WAL is complete (the moment it
/// finished) to the last archived commit reachable without a gap from the newest one, along the newest timeline that
/// leads from it; a gap after the oldest backup cuts the window where it lies.
/// </summary>
/// <param name="Earliest">The oldest base backup recovery can start from, or null when none has all the WAL it needs.</param>
/// <param name="LastCommit">The last commit recovery reaches, or null when no archived segment it reaches recorded one.</param>
/// <param name="LastSegment">The last segment recovery reaches without a gap, or null with no usable backup.</param>
/// <param name="Timeline">The timeline recovery follows.</param>
/// <param name="Cuts">Each gap after <paramref name="Earliest"/>, oldest first: the window has a hole there, or ends there.</param>
public sealed record RecoverableWindow(BaseBackupPoint? Earliest, WalCommit? LastCommit, string? LastSegment, uint Timeline, IReadOnlyList<WindowCut> Cuts)
{
    /// <summary>
    /// The window of an archive with these <paramref name="contents"/>, its base <paramref name="backups"/> (oldest
    /// first) and <paramref name="histories"/>; null without a base backup. Reads a few records, from the end back to
    /// the last commit before each gap and before the end.
    /// </summary>
    public static async Task<RecoverableWindow?> FindAsync(
        WalArchiveContents contents,
        IReadOnlyList<BaseBackupPoint> backups,
        IReadOnlyDictionary<uint, TimelineHistory> histories,
        WalRecordReader readRecord,
        CancellationToken cancellationToken)
    {
        if (backups.Count == 0)
            return null;
        var path = WalTimelinePath.Newest(contents, histories, backups[^1]);
        var usable = backups.Where(b => path.Leads(b) && HasWal(contents, b)).ToList();
        if (usable.Count == 0)
            return new RecoverableWindow(null, null, null, path.Target, []);

        var present = path.Present(contents);
        var last = present.Count > 0 ? present[^1] : usable[0].LastNumber;
        var gaps = WalSegmentRange.Missing(present, usable[0].FirstNumber, last);
        var cuts = new List<WindowCut>();
        foreach (var gap in gaps)
        {
            var before = usable.LastOrDefault(b => b.FirstNumber < gap.First) ?? usable[0];
            var commit = await LastCommitAsync(contents, path, before.FirstNumber, gap.First, readRecord, cancellationToken);
            var resumes = usable.FirstOrDefault(b => b.FirstNumber > gap.Last);
            var stranded = present.Count(n => n > gap.Last);
            cuts.Add(new WindowCut(gap.Describe(path.TimelineOf, contents.SegmentSize), gap.Count, commit, resumes, stranded, contents.NameOf(path.TimelineOf(last), last).Text));
            if (resumes is null)
                break; // nothing after the first gap past the newest usable backup is reachable
        }

        // Recovery from the newest backup before the end reads on to the end, or to the gap that ends the window.
        var endsAt = cuts is [.., { ResumesWith: null }] ? gaps[cuts.Count - 1].First : last + 1;
        var newest = usable.LastOrDefault(b => b.FirstNumber < endsAt) ?? usable[0];
        var lastCommit = await LastCommitAsync(contents, path, newest.FirstNumber, endsAt, readRecord, cancellationToken);
        var lastSegment = endsAt > newest.FirstNumber ? contents.NameOf(path.TimelineOf(endsAt - 1), endsAt - 1).Text : null;
        return new RecoverableWindow(usable[0], lastCommit, lastSegment, path.Target, cuts);
    }

    /// <summary>The moment the window ends: its last commit, or the start when no commit was archived after the oldest backup.</summary>
    public DateTimeOffset? End => LastCommit?.Time ?? Earliest?.FinishedAt;

    // A backup recovers only when every segment from its start to its stop is archived on its own timeline.
    private static bool HasWal(WalArchiveContents contents, BaseBackupPoint backup)
    {
        for (var number = backup.FirstNumber; number <= backup.LastNumber; number++)
        {
            if (!contents.Has(backup.Timeline, number))
                return false;
        }

        return true;
    }

    // The last commit in the segments from first up to (not including) end, read from the end back.
    private static async Task<WalCommit?> LastCommitAsync(
        WalArchiveContents contents, WalTimelinePath path, ulong first, ulong end, WalRecordReader readRecord, CancellationToken cancellationToken)
    {
        for (var number = end; number > first;)
        {
            number--;
            if (await readRecord(contents.NameOf(path.TimelineOf(number), number), cancellationToken) is { LastCommit: { } commit })
                return commit;
        }

        return null;
    }
}

/// <summary>A gap in the archived WAL after the oldest usable base backup: recovery cannot cross it.</summary>
/// <param name="Missing">The missing segments' names ("FIRST..LAST", or one name).</param>
/// <param name="MissingSegments">How many.</param>
/// <param name="LastCommitBefore">The last commit archived before it, where recovery over it stops, or null.</param>
/// <param name="ResumesWith">The next base backup after it, where the window starts again; null when the window ends at the gap.</param>
/// <param name="ArchivedAfter">Segments archived after the gap along the timeline followed.</param>
/// <param name="ArchivedUntil">The newest segment archived along that timeline.</param>
public sealed record WindowCut(string Missing, ulong MissingSegments, WalCommit? LastCommitBefore, BaseBackupPoint? ResumesWith, int ArchivedAfter, string ArchivedUntil);
