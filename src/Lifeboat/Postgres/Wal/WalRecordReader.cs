namespace Lifeboat.Postgres.Wal;

/// <summary>Reads the record the archive keeps beside a segment, or null when there is none.</summary>
public delegate Task<WalSegmentRecord?> WalRecordReader(WalFileName segment, CancellationToken cancellationToken);
