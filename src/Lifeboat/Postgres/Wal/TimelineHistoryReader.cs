namespace Lifeboat.Postgres.Wal;

/// <summary>Reads the history of <paramref name="timeline"/> (timeline 1's has no ancestors), or null when its history file is not archived.</summary>
public delegate Task<TimelineHistory?> TimelineHistoryReader(uint timeline, CancellationToken cancellationToken);
