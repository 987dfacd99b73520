using Lifeboat.Cli.Configuration;
using Lifeboat.Cli.Output;
using Lifeboat.Redis;

namespace Lifeboat.Cli.Sources.Redis;

/// <summary>Redis as the command line knows it: its redis: section, 'backup redis', 'restore redis', its summary fields and how 'show' describes its snapshots.</summary>
internal static class RedisSourceKind
{
    /// <summary>The registration.</summary>
    public static SourceKind Kind { get; } = new(
        RedisBackup.SourceType,
        RedisSection.Declaration,
        RedisBackupCommand.Create,
        RedisRestoreCommand.Create,
        manifest =>
        {
            if (manifest.Kind != RedisBackup.Kind)
                return [];
            var info = RedisSnapshotInfo.Of(manifest);
            return new() { ["keys"] = CliJson.Number(info.TotalKeys), ["rdbBytes"] = CliJson.Number(info.RdbBytes), ["rdbVersion"] = CliJson.Number(info.RdbVersion) };
        })
    {
        Checks = RedisChecks.Steps,
        DescribeDetails = RedisBackupDescription.Of,
        KindDetail = RedisBackupDescription.KindDetail,
        Verify = RedisSnapshotCheck.RunAsync,
    };

    /// <summary>The configured server a command works on: the one named, or the only one; its password read from the environment.</summary>
    public static RedisSource Pick(LifeboatSettings settings, string? name) =>
        ToSource(SourcePicker.Pick<RedisSettings>(settings, RedisSection.Declaration, name));

    /// <summary>The source one redis: entry configures, its password read from the environment.</summary>
    public static RedisSource ToSource(RedisSettings chosen) => new()
    {
        Name = chosen.Name,
        Host = chosen.Host,
        Port = chosen.Port,
        User = chosen.User,
        Password = chosen.Password?.Resolve(),
        Tls = chosen.Tls,
        CaFile = chosen.CaFile,
        CertFile = chosen.CertFile,
        KeyFile = chosen.KeyFile,
        Databases = chosen.Databases,
    };
}
