using System.Globalization;
using Lifeboat.Postgres.Wal;
using Lifeboat.Repository;

namespace Lifeboat.Postgres;

/// <summary>
/// Chooses the timeline and the base backup of a point-in-time restore and checks that recovery reaches the target along
/// them, from the manifests, one listing of the archive, its history files and the records kept beside each segment:
/// what PostgreSQL would find only after the copy ("not a child of this server's history", a WAL gap, "recovery ended
/// before configured recovery target was reached") is found before anything is written.
/// </summary>
public sealed class PitrPlanner(BackupRepository repository, string sourceName, IActivityReporter reporter)
{
    // Records are small objects: reading several at once hides a remote store's latency.
    private const int ParallelReads = 8;
    private const int NamesOffered = 5;

    private readonly WalArchive archive = new(repository, sourceName);
    private readonly Dictionary<uint, TimelineHistory?> histories = [];

    /// <summary>
    /// The plan for recovering to <paramref name="target"/>, from the base backup <paramref name="backupId"/> names or else
    /// the newest that ends before it among those whose WAL to consistency is archived (the backups list's window starts from).
    /// </summary>
    public async Task<PitrPlan> PlanAsync(PitrTarget target, string? backupId, CancellationToken cancellationToken)
    {
        var bases = await BaseBackupsAsync(backupId, cancellationToken);
        var segmentSize = bases[0].Info.SegmentSize;
        var contents = await WalArchiveContents.ListAsync(repository, sourceName, segmentSize, cancellationToken);
        var history = await TargetHistoryAsync(target.Timeline, bases, contents, cancellationToken);
        var candidates = OnHistory(bases, history, segmentSize, named: backupId is not null);
        var usable = candidates.Where(c => c.Path.ReachesConsistency(contents)).ToList();
        var restorePoint = target.RestorePoint is { } name ? await FindRestorePointAsync(name, candidates[0].Path, contents, cancellationToken) : null;
        var chosen = backupId is null ? ChooseNewest(candidates, usable, target, restorePoint, contents) : CheckNamed(candidates[0], target, restorePoint);

        var reach = chosen.Path.Follow(contents);
        var last = CheckConsistencyReached(chosen, reach);
        var lastCommit = await LastCommitAsync(chosen.Path, last.Number(segmentSize), cancellationToken);
        await CheckTargetReachedAsync(target, chosen, usable.FirstOrDefault() ?? chosen, reach, lastCommit, restorePoint, contents, cancellationToken);
        return new PitrPlan(chosen.Manifest, chosen.Info, history.Timeline, last, lastCommit);
    }

    private async Task<IReadOnlyList<(BackupManifest Manifest, BaseBackupInfo Info)>> BaseBackupsAsync(string? backupId, CancellationToken cancellationToken)
    {
        if (backupId is not null)
        {
            var named = await repository.FindBackupAsync(PostgresDumpBackup.SourceType, sourceName, backupId, cancellationToken, PostgresBaseBackup.Kind);
            return [(named, BaseBackupInfo.Of(named))];
        }

        var bases = (await repository.ListBackupsAsync(PostgresDumpBackup.SourceType, sourceName, null, cancellationToken))
            .Where(m => m.Kind == PostgresBaseBackup.Kind).Select(m => (m, BaseBackupInfo.Of(m))).ToList();
        if (bases.Count > 0)
            return bases;
        throw new LifeboatException($"there is no base backup of '{sourceName}' in {repository.Store.Location}", "take one with a physical backup first")
        {
            Remedy = new(RemedyAction.TakeBackup, PostgresDumpBackup.SourceType),
        };
    }

    /// <summary>
    /// The requested timeline's history; for "latest", the one <see cref="LatestTimeline"/> chooses for the base backups
    /// (with one named, that backup), as list and check describe it; with a warning when another branch went on writing.
    /// </summary>
    private async Task<TimelineHistory> TargetHistoryAsync(
        uint? requested, IReadOnlyList<(BackupManifest Manifest, BaseBackupInfo Info)> bases, WalArchiveContents contents, CancellationToken cancellationToken)
    {
        var followable = string.Join(", ", LatestTimeline.Followable(contents).Order());
        if (requested is { } timeline)
        {
            if (timeline == 1 || contents.HasHistory(timeline))
                return (await HistoryAsync(timeline, cancellationToken))!;
            throw new LifeboatException(
                $"timeline {timeline} has no history file in the archive of '{sourceName}', so whether it leads from a base backup cannot be known (the archive holds the histories of timelines {followable})",
                "choose one of those timelines",
                FailureKind.Usage);
        }

        var latest = await LatestTimeline.ChooseAsync(contents, [.. bases.Select(b => b.Info.Wal())], HistoryAsync, cancellationToken)
            ?? throw new LifeboatException(
                $"no timeline archived for '{sourceName}' has a history that contains {(bases.Count == 1 ? $"base backup {bases[0].Manifest.Id}" : "any of its base backups")} (timelines with a history: {followable})",
                "the history file of the backup's timeline is missing from the archive: copy it from the server's pg_wal directory");
        if (TimelineFork.Of(latest, contents) is { } fork)
            reporter.Warning(fork.Text, fork.Remedy);
        return latest;
    }

    private async Task<TimelineHistory?> HistoryAsync(uint timeline, CancellationToken cancellationToken)
    {
        if (!histories.TryGetValue(timeline, out var history))
        {
            // Timeline 1 has no history file: it has no ancestors.
            history = await archive.HistoryAsync(timeline, cancellationToken) ?? (timeline == 1 ? new TimelineHistory(1, []) : null);
            histories[timeline] = history;
        }

        return history;
    }

    /// <summary>The base backups the timeline's history contains, oldest first: a backup on a branch it left is skipped.</summary>
    private List<Candidate> OnHistory(IReadOnlyList<(BackupManifest Manifest, BaseBackupInfo Info)> bases, TimelineHistory history, long segmentSize, bool named)
    {
        var candidates = bases
            .Select(b => RecoveryPath.Of(history, b.Info.Wal(), segmentSize) is { } path ? new Candidate(b.Manifest, b.Info, path) : null)
            .OfType<Candidate>().ToList();
        if (candidates.Count > 0)
            return candidates;

        var notChild = $"PostgreSQL would stop with 'requested timeline {history.Timeline} is not a child of this server's history'";
        if (named)
        {
            var (manifest, info) = bases[0];
            var left = history.Branches.FirstOrDefault(b => b.Timeline == info.Timeline) is { } branch ? $", which left timeline {info.Timeline} at {branch.End}" : "";
            throw new LifeboatException(
                $"base backup {manifest.Id} (timeline {info.Timeline}, {info.StartPosition} to {info.StopPosition}) is not in the history of timeline {history.Timeline}{left}: {notChild}",
                "choose another base backup, or the timeline it was taken on",
                FailureKind.Usage);
        }

        throw new LifeboatException(
            $"none of the {bases.Count} base backup(s) of '{sourceName}' is in the history of timeline {history.Timeline}: {notChild}",
            "choose another timeline, or take a base backup on this one",
            FailureKind.Usage);
    }

    /// <summary>
    /// The newest backup that ends before the target among the <paramref name="usable"/> ones, whose WAL to consistency
    /// is archived: a newer one without it would fail only after its copy. One skipped so is warned of.
    /// </summary>
    private Candidate ChooseNewest(List<Candidate> candidates, List<Candidate> usable, PitrTarget target, WalRestorePoint? restorePoint, WalArchiveContents contents)
    {
        var before = candidates.Where(c => EndsBefore(c, target, restorePoint) == true).ToList();
        if (usable.LastOrDefault(before.Contains) is { } chosen)
        {
            if (before[^1] != chosen)
                reporter.Warning($"base backup {before[^1].Manifest.Id} ends nearer the target, but WAL segment {FirstMissing(before[^1], contents)} it needs to become consistent is missing from the archive: recovering from base backup {chosen.Manifest.Id} instead");
            return chosen;
        }

        if (before.Count > 0 && before.Count < candidates.Count)
        {
            throw Incomplete(
                before, contents, $"no base backup of '{sourceName}' that ends before the target {Describe(target, restorePoint)} has the WAL it needs to become consistent",
                "find the segment (the server's pg_wal, another copy of the archive), or choose a later target");
        }

        if (usable.Count == 0)
        {
            throw Incomplete(
                candidates, contents, $"no base backup of '{sourceName}' in the history of timeline {candidates[0].Path.Timeline} has the WAL it needs to become consistent",
                "find the segment (the server's pg_wal, another copy of the archive), or take a new base backup");
        }

        throw NoneEndsBefore(usable, target, restorePoint);
    }

    private static LifeboatException Incomplete(List<Candidate> incomplete, WalArchiveContents contents, string what, string hint)
    {
        var newest = incomplete[^1];
        var among = incomplete.Count == 1 ? "" : $" (the newest of {incomplete.Count}, none of which can be recovered)";
        return new LifeboatException(
            $"{what}: WAL segment {FirstMissing(newest, contents)} is missing from the archive, and base backup {newest.Manifest.Id}{among} needs it to become consistent at {newest.Stop} (recovering along timeline {newest.Path.Timeline})",
            hint);
    }

    private static WalFileName FirstMissing(Candidate candidate, WalArchiveContents contents) =>
        candidate.Path.FileOf(candidate.Path.MissingToConsistency(contents)[0].First);

    private Candidate CheckNamed(Candidate named, PitrTarget target, WalRestorePoint? restorePoint)
    {
        switch (EndsBefore(named, target, restorePoint))
        {
            case true:
                return named;
            case null:
                reporter.Warning($"base backup {named.Manifest.Id} recorded no snapshot at its stop: whether transaction {target.TransactionId} finished before it cannot be checked");
                return named;
            default:
                throw new LifeboatException(
                    $"base backup {named.Manifest.Id} does not end before the target {Describe(target, restorePoint)}: {Ending(named, target, restorePoint)}; recovery from it cannot stop there",
                    "choose an older base backup",
                    FailureKind.Usage);
        }
    }

    /// <summary>True when recovery from the backup can stop at the target; null when the backup recorded too little to tell.</summary>
    private static bool? EndsBefore(Candidate candidate, PitrTarget target, WalRestorePoint? restorePoint) => target switch
    {
        { Time: { } time } => candidate.Ended <= time,
        { Position: { } position } => candidate.Stop <= position,
        // Conservative: the transaction had not finished by the snapshot taken after the backup stopped, so its commit lies after it.
        { Xid: { } xid } => candidate.Info.StopSnapshot is { } snapshot ? !snapshot.HadFinished(xid) : null,
        { RestorePoint: not null } => candidate.Stop.Value <= restorePoint!.Position,
        _ => true,
    };

    private static string Ending(Candidate candidate, PitrTarget target, WalRestorePoint? restorePoint) => target switch
    {
        { Time: not null } => $"it became consistent only at {Utc(candidate.Ended)}",
        { Xid: { } xid } => $"transaction {xid} had finished when it stopped (the server's snapshot then: {candidate.Info.StopSnapshot})",
        { RestorePoint: not null } => $"it becomes consistent only at {candidate.Stop}, after the restore point at {new WalPosition(restorePoint!.Position)}",
        _ => $"it becomes consistent only at {candidate.Stop}",
    };

    private LifeboatException NoneEndsBefore(List<Candidate> candidates, PitrTarget target, WalRestorePoint? restorePoint)
    {
        var oldest = candidates[0];
        var timeline = oldest.Path.Timeline;
        if (target.Xid is { } xid)
        {
            var unknown = candidates.Count(c => c.Info.StopSnapshot is null);
            return new LifeboatException(
                $"no base backup of '{sourceName}' in the history of timeline {timeline} stopped before transaction {xid} finished: the snapshot each took when it stopped shows it finished{(unknown > 0 ? $" ({unknown} recorded no snapshot and cannot be chosen for a transaction)" : "")}",
                "recover to a time or position instead; a transaction target needs a base backup taken before the transaction ended",
                FailureKind.Usage);
        }

        return new LifeboatException(
            $"the target {Describe(target, restorePoint)} lies before the end of the oldest base backup in the history of timeline {timeline} ({oldest.Manifest.Id}, consistent at {oldest.Stop}, {Utc(oldest.Ended)}); the recoverable window starts there",
            "choose a later target",
            FailureKind.Usage);
    }

    /// <summary>
    /// The one restore point of that name in the WAL archived along the timeline's history from the oldest base backup
    /// on; none, or several (recovery would stop at whichever comes first), is refused naming what there is.
    /// </summary>
    private async Task<WalRestorePoint> FindRestorePointAsync(string name, RecoveryPath path, WalArchiveContents contents, CancellationToken cancellationToken)
    {
        var numbers = path.Archived(contents).ToList();
        var records = await ReadRecordsAsync(path, numbers, cancellationToken);
        var points = records.OfType<WalSegmentRecord>().SelectMany(r => r.RestorePoints).ToList();
        var matches = points.Where(p => p.Name == name).ToList();
        if (matches.Count == 1)
            return matches[0];
        if (matches.Count > 1)
        {
            throw new LifeboatException(
                $"{matches.Count} restore points are named '{name}' ({string.Join(", ", matches.Select(Describe))}); recovery would stop at whichever follows the base backup first",
                "recover to the position of the one meant",
                FailureKind.Usage);
        }

        var unrecorded = records.Count(r => r is null);
        var known = points.Count == 0
            ? "it holds none"
            : "the nearest names: " + string.Join(", ", NearestNames.To(name, points.Select(p => p.Name), NamesOffered).Select(n => Describe(points.First(p => p.Name == n))));
        throw new LifeboatException(
            $"there is no restore point named '{name}' in the WAL archived along the history of timeline {path.Timeline} since its oldest base backup ({numbers.Count} segments{(unrecorded > 0 ? $", {unrecorded} of them without a record of their content" : "")}); {known}",
            "name one of those (restore points are made with pg_create_restore_point())",
            FailureKind.Usage);
    }

    private WalFileName CheckConsistencyReached(Candidate chosen, RecoveryReach reach)
    {
        if (reach.Last is { } last && last.Number(chosen.Path.SegmentSize) >= chosen.Path.BackupEnd)
            return last;
        throw new LifeboatException(
            $"WAL segment {reach.FirstMissing} is missing from the archive, and base backup {chosen.Manifest.Id} needs it to become consistent (recovering along timeline {chosen.Path.Timeline})",
            "find the segment (the server's pg_wal, another copy of the archive), or choose another base backup");
    }

    /// <summary>
    /// Recovery must find its target in the WAL archived without a gap: PostgreSQL would otherwise end recovery early
    /// (a gap) or refuse to start ("recovery ended before configured recovery target was reached").
    /// </summary>
    private async Task CheckTargetReachedAsync(
        PitrTarget target, Candidate chosen, Candidate oldest, RecoveryReach reach, DateTimeOffset? lastCommit, WalRestorePoint? restorePoint, WalArchiveContents contents, CancellationToken cancellationToken)
    {
        var path = chosen.Path;
        var last = reach.Last!.Number(path.SegmentSize);
        var end = new WalPosition((last + 1) * (ulong)path.SegmentSize);
        var lastRecord = target.Position is null ? null : await archive.RecordAsync(path.FileOf(last), cancellationToken);
        var readableEnd = lastRecord is { ValidBytes: > 0 } withEnd ? new WalPosition(last * (ulong)path.SegmentSize + (ulong)withEnd.ValidBytes) : (WalPosition?)null;
        // The latest position recovery can stop at is where the last complete record starts; older records know only its end.
        var lastStart = lastRecord is { LastRecordStart: > 0 } withStart ? new WalPosition(last * (ulong)path.SegmentSize + (ulong)withStart.LastRecordStart) : (WalPosition?)null;
        var transactionEnd = target.Xid is { } targetXid ? await TransactionEndAsync(targetXid, chosen, reach, contents, cancellationToken) : null;
        var reached = target switch
        {
            // Recovery stops only at a commit after the target time (at or after it, exclusive): one must be archived.
            { Time: { } time } => lastCommit is { } commit && (target.Inclusive ? commit > time : commit >= time),
            // It stops at the first record that starts at or after the position, and must read that record whole.
            { Position: { } position } => path.SegmentOf(position) < last || (lastStart is { } start ? position <= start : readableEnd is { } readable && position < readable),
            { Xid: not null } => transactionEnd!.Reached,
            { RestorePoint: not null } => path.SegmentOf(new WalPosition(restorePoint!.Position)) <= last,
            _ => !reach.EndsAtGap,
        };
        if (reached)
            return;
        if (reach.EndsAtGap)
        {
            throw new LifeboatException(
                $"WAL segment {reach.FirstMissing} is missing from the archive, though later segments are archived; recovery along timeline {path.Timeline} would stop at {reach.Last} and lose everything after it",
                "find the segment (the server's pg_wal, another copy of the archive) before recovering past it, or choose a target before it");
        }

        var lastCommitText = lastCommit is { } commitTime ? Utc(commitTime) : "none recorded";
        var window = target.Position is null
            ? $"the recoverable window on timeline {path.Timeline} runs from {Utc(oldest.Ended)} to the last commit ({lastCommitText})"
            : $"the recoverable window on timeline {path.Timeline} runs from {oldest.Stop} to {lastStart ?? readableEnd ?? end}";
        var what = target switch
        {
            { Position: { } position } => PastReadableEnd(target, position, reach, end, lastStart, readableEnd, path),
            { Xid: not null } => transactionEnd!.Why,
            _ => $"the target {target} lies after the last archived commit ({lastCommitText}, in segment {reach.Last}; the next segment, {reach.FirstMissing}, is not archived)",
        };
        throw new LifeboatException($"{what}; {window}", "choose an earlier target, or wait until the WAL after it is archived", FailureKind.Usage);
    }

    private static string PastReadableEnd(PitrTarget target, WalPosition position, RecoveryReach reach, WalPosition end, WalPosition? lastStart, WalPosition? readableEnd, RecoveryPath path)
    {
        if (lastStart is { } start)
            return $"the target {target} lies after the start of the last complete record archived ({start}, in segment {reach.Last}): recovery stops only at a record that starts at or after it, and none is archived";
        if (readableEnd is { } readable)
            return $"the target {target} lies at or after the end of the last complete record archived ({readable}, in segment {reach.Last}): recovery stops only at a record that starts at or after it, and none is archived";
        if (position < end && path.SegmentOf(position) == reach.Last!.Number(path.SegmentSize))
            return $"the target {target} lies in segment {reach.Last}, the last archived, whose record does not say where its readable WAL ends (it was archived by an older Lifeboat): whether a whole record follows the target cannot be checked";
        return $"the target {target} lies past the archived WAL, which ends with segment {reach.Last} at {end}";
    }

    private async Task<DateTimeOffset?> LastCommitAsync(RecoveryPath path, ulong last, CancellationToken cancellationToken)
    {
        for (var number = last; number >= path.First && number <= last; number--)
        {
            if ((await archive.RecordAsync(path.FileOf(number), cancellationToken))?.LastCommit is { } commit)
                return commit.Time;
        }

        return null;
    }

    /// <summary>
    /// Whether recovery from the chosen backup meets the transaction's commit or abort record (where it stops, inclusive
    /// or not) after the backup became consistent and in the WAL archived without a gap. Transactions do not end in the
    /// order of their ids: one still running when the server stopped, or never assigned, has no such record at all.
    /// </summary>
    private async Task<TransactionReach> TransactionEndAsync(uint xid, Candidate chosen, RecoveryReach reach, WalArchiveContents contents, CancellationToken cancellationToken)
    {
        var path = chosen.Path;
        var last = reach.Last!.Number(path.SegmentSize);
        var records = await ReadRecordsAsync(path, [.. Enumerable.Range(0, (int)(last - path.First + 1)).Select(i => path.First + (ulong)i)], cancellationToken);
        var search = TransactionEndSearch.Find(xid, path.First, records);
        if (search.Segment is { } segment)
        {
            await CheckEndsAfterConsistencyAsync(xid, segment, chosen, contents, cancellationToken);
            return new TransactionReach(true, "");
        }

        // Ended before the backup started: recovery from an older one may still stop there.
        if (await EarlierEndAsync(xid, chosen, cancellationToken) is { } earlier)
            await CheckEndsAfterConsistencyAsync(xid, earlier, chosen, contents, cancellationToken);

        if (search.Unrecorded == 0)
        {
            return new TransactionReach(false,
                $"transaction {xid} has no commit or abort record in the WAL archived from base backup {chosen.Manifest.Id} on (segments {path.FileOf(path.First)} to {reach.Last}): it was still running where that WAL ends or when the server stopped, its id was never assigned, or it is a subtransaction that committed with its parent (recovery stops only at the commit or abort of a top-level transaction, or at the abort of a subtransaction)");
        }

        // Segments archived before their records listed the transactions ending in them: what was checked before.
        var committed = records.SelectMany(r => new[] { r?.FirstCommit, r?.LastCommit }).OfType<WalCommit>().Select(c => c.TransactionId).ToList();
        uint? latest = committed.Count == 0 ? null : committed.Aggregate(TransactionIds.Later);
        if (latest is { } max && !TransactionIds.Follows(xid, max))
        {
            reporter.Warning($"whether transaction {xid} ended in the archived WAL could not be verified: {search.Unrecorded} of its {records.Length} segments from {path.FileOf(path.First)} to {reach.Last} have no list of the transactions that ended in them (archived by an older Lifeboat, or too many to list); recovery fails if it did not end there");
            return new TransactionReach(true, "");
        }

        return new TransactionReach(false,
            $"transaction {xid} lies after every transaction that committed in the archived WAL (the latest {(latest is { } m ? m.ToString(CultureInfo.InvariantCulture) : "none recorded")}, in WAL up to segment {reach.Last})");
    }

    /// <summary>The segment that ends the transaction between the oldest base backup on the chosen one's history and the chosen one, or null.</summary>
    private async Task<ulong?> EarlierEndAsync(uint xid, Candidate chosen, CancellationToken cancellationToken)
    {
        var path = chosen.Path;
        var from = (await OnChosenHistoryAsync(chosen, cancellationToken))[0].Path.First;
        if (from >= path.First)
            return null;
        var records = await ReadRecordsAsync(path, [.. Enumerable.Range(0, (int)(path.First - from)).Select(i => from + (ulong)i)], cancellationToken);
        return TransactionEndSearch.Find(xid, from, records).Segment;
    }

    /// <summary>Recovery that meets its target before the backup is consistent stops with "requested recovery stop point is before consistent recovery point".</summary>
    private async Task CheckEndsAfterConsistencyAsync(uint xid, ulong segment, Candidate chosen, WalArchiveContents contents, CancellationToken cancellationToken)
    {
        var path = chosen.Path;
        var stopSegment = path.SegmentOf(chosen.Stop);
        if (segment > stopSegment)
            return;
        if (segment == stopSegment)
        {
            // With a snapshot the choice already saw the transaction still running after the stop.
            if (chosen.Info.StopSnapshot is null)
                reporter.Warning($"transaction {xid} ended in segment {path.FileOf(segment)}, the one base backup {chosen.Manifest.Id} became consistent in (at {chosen.Stop}): whether it ended after that could not be checked; recovery fails if it ended before");
            return;
        }

        var older = (await OnChosenHistoryAsync(chosen, cancellationToken)).LastOrDefault(c => path.SegmentOf(c.Stop) < segment && c.Path.ReachesConsistency(contents));
        throw new LifeboatException(
            $"transaction {xid} ended in segment {path.FileOf(segment)}, before base backup {chosen.Manifest.Id} became consistent at {chosen.Stop}: recovery from it cannot stop at the transaction",
            older is null
                ? "recover to a time or position instead; no base backup in this timeline's history became consistent before the transaction ended"
                : $"choose an older base backup: {older.Manifest.Id} became consistent at {older.Stop}, before the transaction ended",
            FailureKind.Usage);
    }

    private async Task<WalSegmentRecord?[]> ReadRecordsAsync(RecoveryPath path, List<ulong> numbers, CancellationToken cancellationToken)
    {
        var records = new WalSegmentRecord?[numbers.Count];
        var options = new ParallelOptions { MaxDegreeOfParallelism = ParallelReads, CancellationToken = cancellationToken };
        await Parallel.ForEachAsync(Enumerable.Range(0, numbers.Count), options, async (i, token) => records[i] = await archive.RecordAsync(path.FileOf(numbers[i]), token));
        return records;
    }

    private static string Describe(PitrTarget target, WalRestorePoint? restorePoint) =>
        restorePoint is null ? target.ToString() : $"{target} ({new WalPosition(restorePoint.Position)}, {Utc(restorePoint.Time)})";

    private static string Describe(WalRestorePoint point) => $"'{point.Name}' at {new WalPosition(point.Position)}, {Utc(point.Time)}";

    private static string Utc(DateTimeOffset time) => time.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss.ffffff", CultureInfo.InvariantCulture) + " UTC";

    /// <summary>Every base backup, oldest first, that the chosen one's timeline history contains (with one named, the others too).</summary>
    private async Task<List<Candidate>> OnChosenHistoryAsync(Candidate chosen, CancellationToken cancellationToken)
    {
        var history = (await HistoryAsync(chosen.Path.Timeline, cancellationToken))!;
        return (await BaseBackupsAsync(null, cancellationToken))
            .Select(b => RecoveryPath.Of(history, b.Info.Wal(), chosen.Path.SegmentSize) is { } path ? new Candidate(b.Manifest, b.Info, path) : null)
            .OfType<Candidate>().ToList();
    }

    /// <summary>Whether recovery reaches a transaction target, and if not, why.</summary>
    private sealed record TransactionReach(bool Reached, string Why);

    /// <summary>A base backup the target timeline's history contains, with the path recovery from it follows.</summary>
    private sealed record Candidate(BackupManifest Manifest, BaseBackupInfo Info, RecoveryPath Path)
    {
        /// <summary>When it ended by the server's clock (what commit times are written with), else by Lifeboat's.</summary>
        public DateTimeOffset Ended => Info.StopClock ?? Manifest.FinishedAt;

        public WalPosition Stop => Path.Backup.Stop;
    }
}
