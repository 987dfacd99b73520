using System.CommandLine;
using System.CommandLine.Help;
using Lifeboat.Cli.Commands;

namespace Lifeboat.Cli;

/// <summary>The lifeboat command-line entry point.</summary>
public static class Program
{
    /// <summary>Runs the command line and returns the process exit code (0 ok, 1 failed, 2 usage/config, 3 unhealthy).</summary>
    public static async Task<int> Main(string[] args)
    {
        var root = BuildRoot();
        if (args.Length == 0)
            return ShowUsage(root);
        var parse = root.Parse(args);
        if (parse.Errors.Count > 0)
        {
            // One line, however many errors: the first one is the one to fix, and the rest often follow from it.
            var (message, hint) = UsageError.Describe(parse);
            CommandRunner.WriteError(message, hint);
            // A command another program reads the exit code of says what a mistyped command line exits with.
            return CommandRunner.ExitPolicyOf(parse.CommandResult.Command).ForUsageError;
        }

        // Without a termination timeout SIGINT/SIGTERM end the process at once and no cleanup runs:
        // a staging database, a decrypted spool file or a lock would be left behind.
        return await parse.InvokeAsync(new InvocationConfiguration { ProcessTerminationTimeout = TimeSpan.FromSeconds(30) });
    }

    /// <summary>The whole command tree.</summary>
    internal static RootCommand BuildRoot()
    {
        var root = new RootCommand("Lifeboat: encrypted, verified backups and restores of PostgreSQL, S3 buckets and Redis.")
        {
            Options = { CommonOptions.Config, CommonOptions.Json, CommonOptions.Quiet, CommonOptions.Verbose },
        };
        // -? and /? are Windows spellings; left out, they stop cluttering shell completion.
        var help = root.Options.OfType<HelpOption>().Single();
        root.Options[root.Options.IndexOf(help)] = new HelpOption("--help", "-h");
        root.Options.OfType<VersionOption>().Single().Action = new VersionAction();
        root.Subcommands.Add(InitCommand.Create());
        root.Subcommands.Add(BackupCommand.Create());
        root.Subcommands.Add(ListCommand.Create());
        root.Subcommands.Add(ShowCommand.Create());
        root.Subcommands.Add(RestoreCommand.Create());
        root.Subcommands.Add(CheckCommand.Create());
        root.Subcommands.Add(CatCommand.Create());
        root.Subcommands.Add(Sources.Buckets.BucketVersionsCommand.Create());
        root.Subcommands.Add(Sources.Buckets.BucketsMirrorCommand.Create());
        root.Subcommands.Add(UnlockCommand.Create());
        root.Subcommands.Add(KeyCommand.Create());
        root.Subcommands.Add(MigrateCommand.Create());
        root.Subcommands.Add(Sources.Postgres.WalPushCommand.Create());
        root.Subcommands.Add(Sources.Postgres.WalPushCommand.CreatePusher());
        root.Subcommands.Add(Sources.Postgres.WalFetchCommand.Create());
        root.Subcommands.Add(Sources.Postgres.WalFetchCommand.CreatePrefetcher());
        root.Subcommands.Add(DoctorCommand.Create());
        root.Subcommands.Add(CompletionCommand.Create());
        return root;
    }

    // Bare 'lifeboat' asked for nothing: the usage goes to stderr (stdout stays empty for a pipe) and the exit code
    // is the one of any usage error, as for a missing command anywhere else.
    private static int ShowUsage(RootCommand root)
    {
        root.Parse(["--help"]).Invoke(new InvocationConfiguration { Output = Console.Error });
        return (int)FailureKind.Usage;
    }
}
