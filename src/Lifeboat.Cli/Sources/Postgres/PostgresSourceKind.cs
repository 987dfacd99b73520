using Lifeboat.Cli.Configuration;
using Lifeboat.Cli.Output;
using Lifeboat.Postgres;

namespace Lifeboat.Cli.Sources.Postgres;

/// <summary>PostgreSQL as the command line knows it: its postgres: section, 'backup postgres', 'restore postgres', its summary fields and how 'show' describes its backups.</summary>
internal static class PostgresSourceKind
{
    /// <summary>The registration.</summary>
    public static SourceKind Kind { get; } = new(
        PostgresDumpBackup.SourceType,
        PostgresSection.Declaration,
        PostgresBackupCommand.Create,
        PostgresRestoreCommand.Create,
        manifest =>
        {
            if (manifest.Kind == PostgresBaseBackup.Kind)
                return BaseBackupFields.Of(manifest);
            if (manifest.Kind != PostgresDumpBackup.Kind)
                return [];
            var info = PostgresDumpInfo.Of(manifest);
            return new() { ["database"] = CliJson.Text(info.Database), ["tables"] = CliJson.Number(info.Tables.Count) };
        })
    {
        Checks = PostgresChecks.Steps,
        DescribeDetails = PostgresBackupDescription.Of,
        MoreRestoreCommands = [PostgresPitrRestoreCommand.Create],
        KindDetail = BaseBackupFields.KindDetail,
        Listing = PostgresWindowListing.ListAsync,
        Verify = PostgresWalCheck.RunAsync,
    };

    /// <summary>The configured database a command works on: the one named, or the only one; its password read from the environment.</summary>
    public static PostgresSource Pick(LifeboatSettings settings, string? name)
    {
        return ToSource(SourcePicker.Pick<PostgresSettings>(settings, PostgresSection.Declaration, name));
    }

    /// <summary>The source one postgres: entry configures, its password read from the environment.</summary>
    public static PostgresSource ToSource(PostgresSettings chosen)
    {
        return new PostgresSource
        {
            Name = chosen.Name,
            Host = chosen.Host,
            Port = chosen.Port,
            Database = chosen.Database,
            User = chosen.User,
            Password = chosen.Password?.Resolve(),
            BinDir = chosen.BinDir,
            PostRestore = chosen.PostRestore,
            SslMode = chosen.SslMode,
            SslRootCertificate = chosen.SslRootCertificate,
        };
    }
}
