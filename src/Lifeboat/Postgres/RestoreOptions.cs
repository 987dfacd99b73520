namespace Lifeboat.Postgres;

/// <summary>How a dump is restored.</summary>
/// <param name="TargetDatabase">Database to restore into; null means the dumped database's name.</param>
/// <param name="Force">Replace the target database when it exists.</param>
/// <param name="Jobs">pg_restore parallel jobs; above 1 the archive is spooled to a temp file first.</param>
/// <param name="SpoolDirectory">Where that temp file goes; null means the system temp directory.</param>
public sealed record RestoreOptions(string? TargetDatabase = null, bool Force = false, int Jobs = 1, string? SpoolDirectory = null);
