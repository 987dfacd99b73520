using System.CommandLine;
using System.Text.Json;
using Lifeboat.Repository;

namespace Lifeboat.Cli.Sources;

/// <summary>
/// One kind of source as the command line knows it: the name its backups are filed under, its 'backup' and
/// 'restore' subcommands, and what 'list' and 'backup --json' say about one of its backups.
/// </summary>
/// <param name="Name">The source type, as in manifests, keys and 'list --source'.</param>
/// <param name="BackupCommand">Makes its 'lifeboat backup NAME' subcommand.</param>
/// <param name="RestoreCommand">Makes its 'lifeboat restore NAME' subcommand.</param>
/// <param name="SummaryFields">The source's own fields of a backup's JSON summary (e.g. database, tables).</param>
internal sealed record SourceKind(string Name, Func<Command> BackupCommand, Func<Command> RestoreCommand, Func<BackupManifest, Dictionary<string, JsonElement>> SummaryFields);
