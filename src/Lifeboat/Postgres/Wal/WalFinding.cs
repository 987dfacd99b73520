namespace Lifeboat.Postgres.Wal;

/// <summary>What a verification of the WAL archive can find.</summary>
public enum WalFindingKind
{
    /// <summary>A timeline's segments are all there, each with its record.</summary>
    Complete,

    /// <summary>Segments missing between the first one recovery may need and the newest archived.</summary>
    Missing,

    /// <summary>Segments archived without the record of their commits (a push interrupted before its last write).</summary>
    WithoutRecord,

    /// <summary>A timeline after the first whose history file is not archived: recovery cannot follow it.</summary>
    NoHistory,

    /// <summary>A timeline's history file that does not read back (damaged, or not authentic).</summary>
    UnreadableHistory,

    /// <summary>A base backup whose WAL from start to stop is not all archived: it cannot become consistent.</summary>
    BackupIncomplete,
}

/// <summary>One thing a verification of the WAL archive found, in words that name the segments.</summary>
/// <param name="Kind">What it is.</param>
/// <param name="Timeline">The timeline it concerns.</param>
/// <param name="Text">One line saying it.</param>
public sealed record WalFinding(WalFindingKind Kind, uint Timeline, string Text)
{
    /// <summary>True for everything but a complete timeline.</summary>
    public bool IsProblem => Kind != WalFindingKind.Complete;
}
