namespace Lifeboat.Postgres.Wal;

/// <summary>
/// What a WAL segment holds that recovery targets are named by, read once while the segment is archived: its
/// commits (first and last, by time and transaction id), the transactions that ended in it and its named restore points.
/// </summary>
/// <param name="Header">The segment's first page header: cluster, timeline, WAL version, sizes.</param>
/// <param name="Commits">How many commit records start in the segment.</param>
/// <param name="FirstCommit">The first commit that starts in the segment, or null when none does.</param>
/// <param name="LastCommit">The last commit that starts in the segment, or null when none does.</param>
/// <param name="RestorePoints">Restore points created by pg_create_restore_point, in WAL order.</param>
/// <param name="ValidBytes">Bytes from the segment's start up to the end of its last readable record.</param>
/// <param name="TransactionsEnded">The transactions whose commit or abort record (prepared ones' included) starts and ends
/// in the segment, by the id a transaction target matches; null when they were too scattered to record.</param>
/// <param name="TransactionEndRunningOn">The transaction whose commit or abort record starts in the segment and ends in the next, or null.</param>
/// <param name="LastRecordStart">Bytes from the segment's start to where its last readable record starts (0 when none does).</param>
public sealed record WalSegmentSummary(
    WalPageHeader Header,
    long Commits,
    WalCommit? FirstCommit,
    WalCommit? LastCommit,
    IReadOnlyList<WalRestorePoint> RestorePoints,
    long ValidBytes,
    IReadOnlyList<TransactionIdRange>? TransactionsEnded = null,
    uint? TransactionEndRunningOn = null,
    long LastRecordStart = 0);

/// <summary>One transaction commit as its WAL record tells it.</summary>
/// <param name="Time">The commit time the server recorded (what recovery_target_time is compared with).</param>
/// <param name="TransactionId">The committed transaction (of a prepared transaction, the one that prepared it).</param>
/// <param name="Position">The WAL position where the commit record starts.</param>
public sealed record WalCommit(DateTimeOffset Time, uint TransactionId, ulong Position);

/// <summary>A named restore point (recovery_target_name).</summary>
/// <param name="Name">Its name.</param>
/// <param name="Time">When it was created.</param>
/// <param name="Position">The WAL position of its record.</param>
public sealed record WalRestorePoint(string Name, DateTimeOffset Time, ulong Position);
