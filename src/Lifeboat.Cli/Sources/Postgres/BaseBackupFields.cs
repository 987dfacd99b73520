using System.Text.Json;
using Lifeboat.Cli.Output;
using Lifeboat.Postgres;
using Lifeboat.Repository;

namespace Lifeboat.Cli.Sources.Postgres;

/// <summary>What 'list' shows of a base backup beyond the common fields: where it is consistent from (its stop position) and on which timeline.</summary>
internal static class BaseBackupFields
{
    /// <summary>Its JSON summary fields: startLsn, stopLsn, timeline, firstSegment, lastSegment.</summary>
    public static Dictionary<string, JsonElement> Of(BackupManifest manifest)
    {
        var info = BaseBackupInfo.Of(manifest);
        return new()
        {
            ["startLsn"] = CliJson.Text(info.StartPosition),
            ["stopLsn"] = CliJson.Text(info.StopPosition),
            ["timeline"] = CliJson.Number(info.Timeline),
            ["firstSegment"] = CliJson.Text(info.FirstSegment),
            ["lastSegment"] = CliJson.Text(info.LastSegment),
        };
    }

    /// <summary>"stop 0/3000100, timeline 1" for a base backup, null for any other kind or when its details do not read.</summary>
    public static string? KindDetail(BackupManifest manifest)
    {
        if (manifest.Kind != PostgresBaseBackup.Kind)
            return null;
        try
        {
            var info = BaseBackupInfo.Of(manifest);
            return $"stop {info.StopPosition}, timeline {info.Timeline}";
        }
        catch (DamagedRecordException)
        {
            return null; // the listing warns about the details once, from the summary fields
        }
    }
}
