namespace Lifeboat.Postgres;

/// <summary>One table's row count in the manifest and after restore.</summary>
public sealed record TableCheck(string Schema, string Table, long Expected, long Actual)
{
    /// <summary>True when the counts agree.</summary>
    public bool Matches => Expected == Actual;
}

/// <summary>What a restore did and what its verification found.</summary>
public sealed record RestoreResult(string BackupId, string TargetDatabase, IReadOnlyList<TableCheck> Tables, long ExpectedLargeObjects, long ActualLargeObjects, TimeSpan Duration)
{
    /// <summary>True when every count agrees.</summary>
    public bool Verified => Tables.All(t => t.Matches) && ExpectedLargeObjects == ActualLargeObjects;
}
