namespace Lifeboat.Postgres;

/// <summary>Where one tablespace of a base backup is restored.</summary>
/// <param name="Oid">Its OID, which names its link pg_tblspc/OID and its archive.</param>
/// <param name="Archive">The archive holding its files.</param>
/// <param name="Directory">Where its files go, and where pg_tblspc/OID points.</param>
/// <param name="Location">Where it was on the server.</param>
/// <param name="Relocated">True when <paramref name="Directory"/> is not where it was on the server.</param>
public sealed record TablespacePlacement(uint Oid, string Archive, string Directory, string Location, bool Relocated);
