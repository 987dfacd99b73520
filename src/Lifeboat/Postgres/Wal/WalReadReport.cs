namespace Lifeboat.Postgres.Wal;

/// <summary>What reading an archive's files back found.</summary>
/// <param name="Read">Files read in full.</param>
/// <param name="Problems">One line per damaged file, naming it.</param>
public sealed record WalReadReport(int Read, IReadOnlyList<string> Problems);
