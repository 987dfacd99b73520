using System.CommandLine;
using Lifeboat.Cli;
using Lifeboat.Cli.Configuration;
using Lifeboat.Cli.Sources;

namespace Lifeboat.Tests.Sources;

/// <summary>A source kind registered once is known everywhere: commands, configuration and 'list --source'.</summary>
public sealed class SourceKindsTests
{
    [Fact]
    public void A_mistyped_source_type_is_a_usage_error_with_a_did_you_mean()
    {
        var error = Assert.Throws<LifeboatException>(() => SourceKinds.Find("postgress"));

        Assert.Equal("there is no source type 'postgress'", error.Message);
        Assert.Equal("did you mean 'postgres'?", error.Hint);
        Assert.Equal(FailureKind.Usage, error.Kind);
    }

    [Fact]
    public void Every_registered_kind_has_a_backup_and_a_restore_command_and_its_configuration_section()
    {
        var root = Program.BuildRoot();
        var backup = root.Subcommands.Single(c => c.Name == "backup");
        var restore = root.Subcommands.Single(c => c.Name == "restore");

        foreach (var kind in SourceKinds.All)
        {
            Assert.Contains(backup.Subcommands, c => c.Name == kind.Name);
            Assert.Contains(restore.Subcommands, c => c.Name == kind.Name);
            Assert.Contains(kind.Config, ConfigSchema.Sources);
            Lifeboat.Repository.RepositoryLayout.ValidateManifestPlace(kind.Name, "any_name", "dump", "2026-02-15T020000Z-1a2b3c4d");
        }
    }

    [Theory]
    [InlineData("""{"database":"app","serverVersion":"15","pgDumpVersion":"15","extensions":[],"tables":null}""")]
    [InlineData("""{"database":"app","serverVersion":"15","pgDumpVersion":"15","extensions":[]}""")]
    public void Postgres_details_without_their_tables_are_reported_and_list_goes_on_without_them(string details)
    {
        var manifest = new Lifeboat.Repository.BackupManifest
        {
            Id = "2026-02-15T020000Z-1a2b3c4d",
            Source = "postgres",
            Name = "app",
            Kind = "dump",
            StartedAt = DateTimeOffset.UnixEpoch,
            FinishedAt = DateTimeOffset.UnixEpoch,
            Objects = [],
            Details = System.Text.Json.JsonDocument.Parse(details).RootElement.Clone(),
        };

        Assert.StartsWith("the postgres details in the manifest of backup 2026-02-15T020000Z-1a2b3c4d are not valid", SourceKinds.DetailsProblem(manifest));
        Assert.Empty(SourceKinds.SummaryFields(manifest));
    }
}
