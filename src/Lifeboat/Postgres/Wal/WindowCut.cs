namespace Lifeboat.Postgres.Wal;

/// <summary>A gap in the archived WAL after the oldest usable base backup: recovery cannot cross it.</summary>
/// <param name="Missing">The missing segments' names ("FIRST..LAST", or one name).</param>
/// <param name="MissingSegments">How many.</param>
/// <param name="LastCommitBefore">The last commit archived before it, where recovery over it stops, or null.</param>
/// <param name="ResumesWith">The next base backup after it, where the window starts again; null when the window ends at the gap.</param>
/// <param name="ArchivedAfter">Segments archived after the gap along the timeline followed.</param>
/// <param name="ArchivedUntil">The newest segment archived along that timeline.</param>
public sealed record WindowCut(string Missing, ulong MissingSegments, WalCommit? LastCommitBefore, BaseBackupPoint? ResumesWith, int ArchivedAfter, string ArchivedUntil);
