namespace Lifeboat.Redis.ServerRestore;

/// <summary>What a restore into a running Redis wrote.</summary>
/// <param name="Databases">Per database of the RDB, in order: what it declared and what became of its keys.</param>
/// <param name="FunctionLibraries">The names of the function libraries restored.</param>
/// <param name="PayloadRdbVersion">The RDB version the payloads were written as: the RDB's own, or the target's when that is older.</param>
/// <param name="FunctionLibrariesSkipped">Function libraries the RDB holds that were left out as asked.</param>
public sealed record ServerRestoreResult(IReadOnlyList<DatabaseRestoreCount> Databases, IReadOnlyList<string> FunctionLibraries, int PayloadRdbVersion, int FunctionLibrariesSkipped)
{
    /// <summary>Keys written, over all databases.</summary>
    public long KeysRestored => Databases.Sum(d => d.Restored);
}

/// <summary>One database's keys: how many the RDB holds, how many were restored, and why the others were not.</summary>
/// <param name="Db">The database number.</param>
/// <param name="Keys">Keys the RDB holds in it (equal to what it declares, which the restore checked).</param>
/// <param name="Restored">Keys written into the target.</param>
/// <param name="Expired">Keys left out because their expiry time had passed.</param>
/// <param name="FilteredOut">Keys left out by the database or key filter.</param>
public sealed record DatabaseRestoreCount(int Db, long Keys, long Restored, long Expired, long FilteredOut);
