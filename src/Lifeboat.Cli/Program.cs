namespace Lifeboat.Cli;

/// <summary>The lifeboat command-line entry point.</summary>
public static class Program
{
    /// <summary>Runs the command line and returns the process exit code.</summary>
    public static int Main(string[] args)
    {
        Console.WriteLine(args.Length);
        return 0;
    }
}
