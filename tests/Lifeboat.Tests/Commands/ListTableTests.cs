using Lifeboat.Cli.Commands;
using Lifeboat.Cli.Output;
using Spectre.Console;

namespace Lifeboat.Tests.Commands;

/// <summary>The table 'list' prints, as a narrow terminal shows it.</summary>
public sealed class ListTableTests
{
    private static readonly DateTimeOffset Started = new DateTimeOffset(2026, 12, 3, 7, 52, 6, 482, TimeSpan.Zero).AddTicks(9130);

    [Theory]
    [InlineData(60)]
    [InlineData(80)]
    public void On_a_narrow_terminal_an_id_stays_whole_on_one_line(int width)
    {
        BackupSummary[] backups = [Backup("2026-12-03T075206.482913Z-473a53ab"), Backup("2026-12-03T080000.000001Z-0f0e0d0c")];

        var lines = Render(ListCommand.BackupsTable(backups, Started.AddHours(2)), width);

        foreach (var backup in backups)
            Assert.Contains(lines, line => line.Contains(backup.Id, StringComparison.Ordinal));
    }

    private static string[] Render(Table table, int width)
    {
        using var output = new StringWriter();
        var console = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Out = new AnsiConsoleOutput(output),
            ColorSystem = ColorSystemSupport.NoColors,
            Interactive = InteractionSupport.No,
        });
        console.Profile.Width = width;
        console.Write(table);
        return output.ToString().Split('\n');
    }

    private static BackupSummary Backup(string id) => new()
    {
        Id = id,
        Source = "postgres",
        Name = "dev_platform",
        Kind = "dump",
        StartedAt = Started,
        FinishedAt = Started.AddSeconds(42),
        SizeBytes = 1L << 30,
        StoredBytes = 300L << 20,
    };
}
