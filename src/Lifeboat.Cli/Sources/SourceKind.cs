using System.CommandLine;
using System.Text.Json;
using Lifeboat.Cli.Configuration;
using Lifeboat.Cli.Output;
using Lifeboat.Repository;

namespace Lifeboat.Cli.Sources;

/// <summary>
/// One kind of source as the command line knows it: the name its backups are filed under, its configuration
/// section, its 'backup' and 'restore' subcommands, and what 'list' and 'backup --json' say about one of its backups.
/// Registering one in <see cref="SourceKinds.All"/> is all the loader, the key check, the commands and 'list' need.
/// </summary>
/// <param name="Name">The source type, as in manifests, keys and 'list --source'.</param>
/// <param name="Config">Its configuration section: the keys of one entry and how an entry binds.</param>
/// <param name="BackupCommand">Makes its 'lifeboat backup NAME' subcommand.</param>
/// <param name="RestoreCommand">Makes its 'lifeboat restore NAME' subcommand.</param>
/// <param name="SummaryFields">The source's own fields of a backup's JSON summary (e.g. database, tables).</param>
internal sealed record SourceKind(string Name, SourceSection Config, Func<Command> BackupCommand, Func<Command> RestoreCommand, Func<BackupManifest, Dictionary<string, JsonElement>> SummaryFields)
{
    /// <summary>
    /// Its checks for 'lifeboat doctor', of every configured entry of this kind, as steps run in order, each within its
    /// own time limit: can it be reached with its credentials, are its tools there. Given the settings, and the
    /// repository when it opened (null when it did not), for what only the backups can tell (does the newest one read).
    /// </summary>
    public required Func<LifeboatSettings, BackupRepository?, IEnumerable<PreflightStep>> Checks { get; init; }

    /// <summary>
    /// What one of its backups recorded, in human form for 'show': null for a kind of backup this build does not know;
    /// throws <see cref="DamagedRecordException"/> when the details do not read.
    /// </summary>
    public required Func<BackupManifest, IReadOnlyList<DetailSection>?> DescribeDetails { get; init; }

    /// <summary>Further 'lifeboat restore' subcommands the kind brings (PostgreSQL: 'pitr').</summary>
    public IReadOnlyList<Func<Command>> MoreRestoreCommands { get; init; } = [];

    /// <summary>What the KIND column of 'list' adds after one of its backups' kind (PostgreSQL: a base backup's stop position and timeline); null when nothing.</summary>
    public Func<BackupManifest, string?>? KindDetail { get; init; }

    /// <summary>What 'list' says of its sources beyond their backups (PostgreSQL: each archive's recoverable window); null when nothing.</summary>
    public Func<SourceListingRequest, CancellationToken, Task<IReadOnlyList<SourceListing>>>? Listing { get; init; }

    /// <summary>What 'check' verifies of its sources beyond their backups' objects (PostgreSQL: each WAL archive); null when nothing.</summary>
    public Func<SourceCheckRequest, CancellationToken, Task<IReadOnlyList<SourceCheckResult>>>? Verify { get; init; }

    /// <summary>
    /// How 'cat' opens an artifact of one of its backups when that is not simply one of the manifest's objects (buckets:
    /// one object of a snapshot, by key and version): a stream of the verified bytes. Null when 'cat' takes the
    /// manifest's objects by name.
    /// </summary>
    public Func<ArtifactRequest, CancellationToken, Task<Stream>>? OpenArtifact { get; init; }
}
