using System.CommandLine;
using Lifeboat.Cli.Sources;

namespace Lifeboat.Cli.Commands;

/// <summary>lifeboat backup KIND: one subcommand per registered source kind.</summary>
internal static class BackupCommand
{
    public static Command Create()
    {
        var command = new Command("backup", "Back up a configured source into the repository");
        foreach (var kind in SourceKinds.All)
            command.Subcommands.Add(kind.BackupCommand());
        return command;
    }
}
