using System.CommandLine;

namespace Lifeboat.Cli.Commands;

/// <summary>lifeboat completion bash|zsh: prints a shell completion script (see <see cref="CompletionScripts"/>).</summary>
internal static class CompletionCommand
{
    public static Command Create()
    {
        var shell = new Argument<string>("SHELL") { Description = "The shell: bash or zsh" };
        shell.AcceptOnlyFromAmong([.. CompletionScripts.Shells]);
        var command = new Command("completion", "Print a shell completion script (bash: lifeboat completion bash > /etc/bash_completion.d/lifeboat)");
        command.Arguments.Add(shell);
        command.SetBody((parse, _, _) =>
        {
            Console.Write(CompletionScripts.For(parse.GetValue(shell)!));
            return Task.FromResult(CommandRunner.Ok);
        });
        return command;
    }
}
