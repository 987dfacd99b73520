namespace Lifeboat.Postgres;

/// <summary>Where a point-in-time restore lays out the cluster, and on what terms.</summary>
/// <param name="DataDirectory">The data directory, as a full path.</param>
/// <param name="Force">Whether what the data directory, or a relocated tablespace's directory, holds may be removed first.</param>
/// <param name="TablespaceMap">Tablespaces to restore elsewhere than where they were on the server: OID to directory (full paths).</param>
/// <param name="Owner">The OS user the files belong to.</param>
public sealed record RestoreDestination(string DataDirectory, bool Force, IReadOnlyDictionary<uint, string> TablespaceMap, DataDirectoryOwner Owner);
