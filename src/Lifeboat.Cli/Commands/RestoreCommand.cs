using System.CommandLine;
using Lifeboat.Cli.Sources;

namespace Lifeboat.Cli.Commands;

/// <summary>lifeboat restore KIND: one subcommand per registered source kind.</summary>
internal static class RestoreCommand
{
    public static Command Create()
    {
        var command = new Command("restore", "Restore a backup");
        foreach (var kind in SourceKinds.All)
        {
            command.Subcommands.Add(kind.RestoreCommand());
            foreach (var more in kind.MoreRestoreCommands)
                command.Subcommands.Add(more());
        }
        return command;
    }
}
