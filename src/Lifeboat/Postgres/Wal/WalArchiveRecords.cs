namespace Lifeboat.Postgres.Wal;

/// <summary>The cluster an archive belongs to, written by its first push; files of any other cluster are refused.</summary>
public sealed record WalArchiveIdentity
{
    /// <summary>The cluster's system identifier (pg_controldata "Database system identifier").</summary>
    public required ulong SystemId { get; init; }

    /// <summary>The WAL format mark of its segments.</summary>
    public required ushort WalMagic { get; init; }

    /// <summary>The PostgreSQL major version that format belongs to.</summary>
    public required int MajorVersion { get; init; }

    /// <summary>The cluster's WAL segment size in bytes.</summary>
    public required long SegmentSize { get; init; }

    /// <summary>When the first file was archived.</summary>
    public required DateTimeOffset Since { get; init; }
}

/// <summary>What the archive keeps beside a segment: its hash, to tell an identical re-push from a conflicting one, and what recovery targets it reaches.</summary>
public sealed record WalSegmentRecord
{
    /// <summary>SHA-256 of the segment's bytes, lowercase hex.</summary>
    public required string Sha256 { get; init; }

    /// <summary>Its length in bytes.</summary>
    public required long SizeBytes { get; init; }

    /// <summary>Bytes stored for it (compressed and encrypted).</summary>
    public long StoredBytes { get; init; }

    /// <summary>When it was archived.</summary>
    public required DateTimeOffset ArchivedAt { get; init; }

    /// <summary>How many commits start in it.</summary>
    public long Commits { get; init; }

    /// <summary>Its first commit, or null.</summary>
    public WalCommit? FirstCommit { get; init; }

    /// <summary>Its last commit, or null.</summary>
    public WalCommit? LastCommit { get; init; }

    /// <summary>Its restore points.</summary>
    public IReadOnlyList<WalRestorePoint> RestorePoints { get; init; } = [];

    /// <summary>Bytes from its start to the end of its last readable record; 0 in records written before it was recorded.</summary>
    public long ValidBytes { get; init; }

    /// <summary>Bytes from its start to where its last readable record starts; 0 when unknown (older records) or none starts in it.</summary>
    public long LastRecordStart { get; init; }

    /// <summary>
    /// The transactions whose commit or abort record starts and ends in it, by the id a transaction target matches, as
    /// sorted ranges; null in records written before it was recorded, or when there were too many ranges to keep.
    /// </summary>
    public IReadOnlyList<TransactionIdRange>? TransactionsEnded { get; init; }

    /// <summary>The transaction whose commit or abort record starts in it and ends in the next segment, or null.</summary>
    public uint? TransactionEndRunningOn { get; init; }
}
