using Lifeboat.Cli.Output;
using Lifeboat.Postgres;

namespace Lifeboat.Cli.Sources.Postgres;

/// <summary>PostgreSQL as the command line knows it: 'backup postgres', 'restore postgres' and its summary fields.</summary>
internal static class PostgresSourceKind
{
    /// <summary>The registration.</summary>
    public static SourceKind Kind { get; } = new(
        PostgresDumpBackup.SourceType,
        PostgresBackupCommand.Create,
        PostgresRestoreCommand.Create,
        manifest =>
        {
            if (manifest.Kind != PostgresDumpBackup.Kind)
                return [];
            var info = PostgresDumpInfo.Of(manifest);
            return new() { ["database"] = CliJson.Text(info.Database), ["tables"] = CliJson.Number(info.Tables.Count) };
        });
}
