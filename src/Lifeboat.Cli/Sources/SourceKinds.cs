using System.Text.Json;
using Lifeboat.Cli.Sources.Buckets;
using Lifeboat.Cli.Sources.Postgres;
using Lifeboat.Cli.Sources.Redis;
using Lifeboat.Repository;

namespace Lifeboat.Cli.Sources;

/// <summary>Every source kind the command line knows; adding a source kind adds one line here.</summary>
internal static class SourceKinds
{
    /// <summary>The registered kinds.</summary>
    public static IReadOnlyList<SourceKind> All { get; } = [PostgresSourceKind.Kind, RedisSourceKind.Kind, BucketsSourceKind.Kind];

    /// <summary>The kind named <paramref name="name"/>; an unknown name is a usage error with a "did you mean".</summary>
    public static SourceKind Find(string name)
    {
        if (All.FirstOrDefault(k => k.Name == name) is { } kind)
            return kind;
        var closest = All.MinBy(k => EditDistance.Between(k.Name, name));
        var hint = closest is not null && EditDistance.Between(closest.Name, name) <= 3
            ? $"did you mean '{closest.Name}'?"
            : $"known source types: {string.Join(", ", All.Select(k => k.Name))}";
        throw new LifeboatException($"there is no source type '{name}'", hint, FailureKind.Usage);
    }

    /// <summary>What is wrong with a backup's details, by its source's own reading of them, or null when nothing is (or the kind is unknown).</summary>
    public static string? DetailsProblem(BackupManifest manifest) => Summarise(manifest).Problem;

    /// <summary>
    /// The source's own summary fields of a backup, or none when its kind is unknown to this build or its details are
    /// damaged: one bad manifest must not stop a listing of all the others ('check' and a restore of it say what is wrong).
    /// </summary>
    public static Dictionary<string, JsonElement> SummaryFields(BackupManifest manifest) => Summarise(manifest).Fields;

    /// <summary>The summary fields and what is wrong with the details, from one reading of them.</summary>
    public static (Dictionary<string, JsonElement> Fields, string? Problem) Summarise(BackupManifest manifest)
    {
        try
        {
            return (All.FirstOrDefault(k => k.Name == manifest.Source)?.SummaryFields(manifest) ?? [], null);
        }
        catch (DamagedRecordException e)
        {
            return ([], e.Message);
        }
    }
}
