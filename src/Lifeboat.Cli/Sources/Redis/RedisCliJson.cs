using System.Text.Json.Serialization;

namespace Lifeboat.Cli.Sources.Redis;

/// <summary>What 'restore redis --to --json' prints.</summary>
/// <param name="Id">The backup restored.</param>
/// <param name="RdbFile">The RDB written (the base file of an append-only directory).</param>
/// <param name="Bytes">Its size.</param>
/// <param name="AofDirectory">The append-only directory laid out, or null.</param>
internal sealed record RedisRestoreSummary(string Id, string RdbFile, long Bytes, string? AofDirectory);

/// <summary>What 'restore redis --to-server --json' prints.</summary>
/// <param name="Id">The backup restored.</param>
/// <param name="Target">The server written into, host:port.</param>
/// <param name="KeysRestored">Keys written, over all databases.</param>
/// <param name="Databases">Per database of the RDB: its keys and what became of them.</param>
/// <param name="FunctionLibraries">The function libraries restored.</param>
/// <param name="PayloadRdbVersion">The RDB version the RESTORE payloads were written as.</param>
/// <param name="CountsCheckedAgainstBackup">True when the RDB's keys per database were checked against the counts the backup recorded.</param>
/// <param name="FunctionLibrariesNotRestored">Function libraries in the backup left out because --db or --match was given.</param>
internal sealed record RedisServerRestoreSummary(
    string Id,
    string Target,
    long KeysRestored,
    IReadOnlyList<RedisDatabaseRestoreSummary> Databases,
    IReadOnlyList<string> FunctionLibraries,
    int PayloadRdbVersion,
    bool CountsCheckedAgainstBackup,
    int FunctionLibrariesNotRestored);

/// <summary>One database of a restore into a server.</summary>
/// <param name="Db">Its number.</param>
/// <param name="Keys">Keys the RDB holds in it.</param>
/// <param name="Restored">Keys written.</param>
/// <param name="Expired">Keys left out because their expiry time had passed.</param>
/// <param name="FilteredOut">Keys left out by --db or --match.</param>
internal sealed record RedisDatabaseRestoreSummary(int Db, long Keys, long Restored, long Expired, long FilteredOut);

/// <summary>Source-generated JSON for the redis commands' output (no reflection, AOT-safe).</summary>
[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    WriteIndented = false)]
[JsonSerializable(typeof(RedisRestoreSummary))]
[JsonSerializable(typeof(RedisServerRestoreSummary))]
internal sealed partial class RedisCliJson : JsonSerializerContext;
