using Lifeboat.Repository;

namespace Lifeboat.Cli.Sources;

/// <summary>What a kind's <see cref="SourceKind.OpenArtifact"/> is given by 'cat': the backup, which artifact of it, and where warnings go.</summary>
/// <param name="Repository">The open repository.</param>
/// <param name="Backup">The backup's manifest, looked up under the lock.</param>
/// <param name="Name">The artifact's name as typed (a bucket snapshot: the object's key), or null when none was given.</param>
/// <param name="Version">The version asked for with --version, or null.</param>
/// <param name="Warn">Writes one warning line.</param>
internal sealed record ArtifactRequest(BackupRepository Repository, BackupManifest Backup, string? Name, string? Version, Action<string> Warn);
