using System.Text.Json;
using System.Text.Json.Serialization;
using Lifeboat.Cli.Configuration;
using Lifeboat.Repository;

namespace Lifeboat.Cli.Sources;

/// <summary>What a kind's <see cref="SourceKind.Listing"/> is given: the repository, the configuration, its backups 'list' shows, and the name 'list --name' asked for.</summary>
internal sealed record SourceListingRequest(BackupRepository Repository, LifeboatSettings Settings, IReadOnlyList<BackupManifest> Backups, string? Name);

/// <summary>What 'list' says of one source beyond its backups: lines after the totals, and fields added to some backups' JSON summaries.</summary>
/// <param name="Source">The source type.</param>
/// <param name="Name">The source's name.</param>
/// <param name="Lines">Lines of text, each a whole statement.</param>
/// <param name="FieldsByBackup">Fields to add to the JSON summary of the backup with that id.</param>
internal sealed record SourceListing(string Source, string Name, IReadOnlyList<string> Lines, IReadOnlyDictionary<string, Dictionary<string, JsonElement>> FieldsByBackup);

/// <summary>What a kind's <see cref="SourceKind.Verify"/> is given: the repository, the configuration, how much data to read (0–100 %) and where to report progress.</summary>
internal sealed record SourceCheckRequest(BackupRepository Repository, LifeboatSettings Settings, int ReadDataPercent, IActivityReporter Reporter);

/// <summary>What 'check' found of one source beyond its backups' objects.</summary>
/// <param name="Source">The source type.</param>
/// <param name="Name">The source's name.</param>
/// <param name="Passed">One line per part found sound.</param>
/// <param name="Problems">One line per problem, naming what is wrong.</param>
/// <param name="FilesRead">Files read in full (with --read-data).</param>
internal sealed record SourceCheckResult(string Source, string Name, IReadOnlyList<string> Passed, IReadOnlyList<string> Problems, int FilesRead)
{
    /// <summary>One line per warning, with its hint: not damage, but for the operator to judge (PostgreSQL: two timelines went on writing).</summary>
    public IReadOnlyList<string> Warnings { get; init; } = [];

    /// <summary>The kind's own fields (PostgreSQL: <c>timelineFork</c>), written after the common ones in 'check --json'.</summary>
    /// <remarks>Settable, not init: System.Text.Json binds init-only properties with the constructor, which extension data cannot be.</remarks>
    [JsonExtensionData]
    public Dictionary<string, JsonElement>? SourceFields { get; set; }
}
