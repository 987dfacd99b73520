using System.Text.Json.Serialization;
using Lifeboat.Postgres.Wal;

namespace Lifeboat.Cli.Sources.Postgres;

/// <summary>A source's recoverable window, as 'list --json' adds it (recoverableWindow) to each of the source's base backups; times in UTC.</summary>
/// <param name="From">The earliest moment recoverable: when the oldest base backup with all its WAL finished; null when none has.</param>
/// <param name="FromBackup">That backup's id.</param>
/// <param name="FromStopLsn">Where that backup is consistent from.</param>
/// <param name="To">The last archived commit recovery reaches, or null when none was recorded.</param>
/// <param name="ToTransactionId">That commit's transaction id.</param>
/// <param name="LastSegment">The last segment recovery reaches without a gap.</param>
/// <param name="Timeline">The timeline recovery follows (the newest archived one whose history contains a base backup, as restore pitr chooses it).</param>
/// <param name="ArchivedSegments">Whole segments in the archive, on every timeline.</param>
/// <param name="ArchiveStoredBytes">Bytes the archive takes up stored.</param>
/// <param name="Cuts">Each gap that cuts the window, oldest first.</param>
/// <param name="Fork">Another timeline that went on writing after <paramref name="Timeline"/> began, or null.</param>
internal sealed record RecoverableWindowSummary(
    DateTime? From,
    string? FromBackup,
    string? FromStopLsn,
    DateTime? To,
    uint? ToTransactionId,
    string? LastSegment,
    uint Timeline,
    int ArchivedSegments,
    long ArchiveStoredBytes,
    IReadOnlyList<WindowCutSummary> Cuts,
    TimelineForkSummary? Fork)
{
    /// <summary>The summary of <paramref name="window"/>, of an archive holding <paramref name="segments"/> segments in <paramref name="storedBytes"/>.</summary>
    public static RecoverableWindowSummary Of(RecoverableWindow window, int segments, long storedBytes) => new(
        window.Earliest?.FinishedAt.UtcDateTime,
        window.Earliest?.Id,
        window.Earliest?.Info.StopPosition,
        window.LastCommit?.Time.UtcDateTime,
        window.LastCommit?.TransactionId,
        window.LastSegment,
        window.Timeline,
        segments,
        storedBytes,
        [.. window.Cuts.Select(WindowCutSummary.Of)],
        window.Fork is { } fork ? TimelineForkSummary.Of(fork) : null);
}

/// <summary>A gap that cuts the window: a hole until the next base backup (resumesWithBackup), or its end (resumesWithBackup null).</summary>
/// <param name="Missing">The missing segments, "FIRST..LAST" or one name.</param>
/// <param name="MissingSegments">How many are missing.</param>
/// <param name="LastCommitBefore">The last commit recoverable before the gap.</param>
/// <param name="ResumesWithBackup">The base backup the window starts again with, or null when it ends at the gap.</param>
/// <param name="ResumesAt">When that backup finished.</param>
/// <param name="ArchivedAfter">Segments archived after the gap.</param>
/// <param name="ArchivedUntil">The newest segment archived.</param>
internal sealed record WindowCutSummary(
    string Missing, ulong MissingSegments, DateTime? LastCommitBefore, string? ResumesWithBackup, DateTime? ResumesAt, int ArchivedAfter, string ArchivedUntil)
{
    /// <summary>The summary of <paramref name="cut"/>.</summary>
    public static WindowCutSummary Of(WindowCut cut) => new(
        cut.Missing, cut.MissingSegments, cut.LastCommitBefore?.Time.UtcDateTime, cut.ResumesWith?.Id, cut.ResumesWith?.FinishedAt.UtcDateTime, cut.ArchivedAfter, cut.ArchivedUntil);
}

/// <summary>Source-generated JSON for the recoverable window (no reflection at start-up).</summary>
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase, WriteIndented = false)]
[JsonSerializable(typeof(RecoverableWindowSummary))]
[JsonSerializable(typeof(TimelineForkSummary))]
internal sealed partial class PostgresWindowJson : JsonSerializerContext;
