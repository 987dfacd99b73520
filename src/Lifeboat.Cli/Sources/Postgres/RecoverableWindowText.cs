using System.Globalization;
using Lifeboat.Cli.Output;
using Lifeboat.Postgres.Wal;

namespace Lifeboat.Cli.Sources.Postgres;

/// <summary>How 'list' words a source's recoverable window: one line for the window and the archive, one per gap that cuts it, one for another timeline that went on writing.</summary>
internal static class RecoverableWindowText
{
    /// <summary>The lines for source <paramref name="name"/>, whose window is <paramref name="window"/> (null without a base backup) and whose archive holds <paramref name="segments"/> segments in <paramref name="storedBytes"/>.</summary>
    public static IReadOnlyList<string> Lines(string name, RecoverableWindow? window, int segments, long storedBytes)
    {
        var source = $"postgres/{name}";
        var lines = WindowLines(source, window, $"WAL archive: {segments} segment(s), {ByteSize.Format(storedBytes)}");
        return window?.Fork is { } fork ? [.. lines, $"{source}: warning: {RemedyText.WithHint(fork.Text, fork.Remedy)}"] : lines;
    }

    private static IReadOnlyList<string> WindowLines(string source, RecoverableWindow? window, string archive)
    {
        if (window is null)
            return [$"{source}: nothing recoverable to a point in time yet: no base backup ('lifeboat backup postgres --physical' takes one); {archive}"];
        if (window.Earliest is not { } earliest)
            return [$"{source}: nothing recoverable to a point in time: no base backup has all the WAL it needs ('lifeboat check' names what is missing); {archive}"];

        var end = window.LastCommit is { } commit
            ? $"{Precise(commit.Time)} (last archived commit, in {window.LastSegment})"
            : $"the end of the WAL it reaches, {window.LastSegment ?? "its own"} (no commit recorded there)";
        List<string> lines =
        [
            $"{source}: recoverable from {Time(earliest.FinishedAt)} (base backup {earliest.Id}, consistent at {earliest.Info.StopPosition}) to {end}, timeline {window.Timeline}; {archive}",
        ];
        lines.AddRange(window.Cuts.Select(cut => $"{source}: {Cut(cut)}"));
        return lines;
    }

    private static string Cut(WindowCut cut)
    {
        var missing = $"WAL {cut.Missing} is missing ({(cut.MissingSegments == 1 ? "1 segment" : $"{cut.MissingSegments} segments")})";
        var before = cut.LastCommitBefore is { } commit ? Precise(commit.Time) : "the gap";
        if (cut.ResumesWith is { } resumes)
            return $"{missing}: nothing between {before} and {Time(resumes.FinishedAt)} (base backup {resumes.Id}) is recoverable";
        return $"{missing}: the window ends at {before}; {cut.ArchivedAfter} segment(s) archived after it, up to {cut.ArchivedUntil}, cannot be reached";
    }

    private static string Time(DateTimeOffset time) => time.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture) + " UTC";

    // A commit time is what recovery_target_time is compared with: to the microsecond, as PostgreSQL records it.
    private static string Precise(DateTimeOffset time) => time.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss.ffffff", CultureInfo.InvariantCulture) + " UTC";
}
