namespace Lifeboat.Postgres;

/// <summary>
/// A dump's size guess and how it was come by: measured from the tables' files, or, when <see cref="LockedTables"/>
/// is not null, from the planner's page counts because another session held a table locked.
/// </summary>
/// <param name="Estimate">The guess, refined as the archive streams.</param>
/// <param name="LockedTables">The tables another session holds (or waits for) an ACCESS EXCLUSIVE lock on, quoted as SQL
/// names; null when every table could be measured. It may be empty: the lock was gone by the time it was looked for.</param>
internal sealed record SizeEstimate(DumpSizeEstimate Estimate, IReadOnlyList<string>? LockedTables);
