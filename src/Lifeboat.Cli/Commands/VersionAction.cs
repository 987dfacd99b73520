using System.CommandLine;
using System.CommandLine.Invocation;

namespace Lifeboat.Cli.Commands;

/// <summary>--version: the version line of <see cref="BuildInfo"/>, so a bug report says exactly which build ran.</summary>
internal sealed class VersionAction : SynchronousCommandLineAction
{
    /// <inheritdoc />
    public override int Invoke(ParseResult parseResult)
    {
        ArgumentNullException.ThrowIfNull(parseResult);
        parseResult.InvocationConfiguration.Output.WriteLine(BuildInfo.VersionLine);
        return CommandRunner.Ok;
    }
}
