namespace Lifeboat.Cli.Sources.Postgres;

/// <summary>
/// The restore_command a recovering server runs to fetch WAL: this very lifeboat with the same configuration, as one
/// shell command line. PostgreSQL expands %-escapes in it before a shell reads it, so every '%' in a word is doubled
/// and only the %f and %p placeholders stay single; then each word is single-quoted for the shell.
/// </summary>
internal static class RestoreCommandLine
{
    /// <summary>The command fetching <paramref name="sourceName"/>'s WAL with the configuration file at <paramref name="configPath"/>.</summary>
    public static string For(string configPath, string sourceName) => Build(Self(), configPath, sourceName);

    /// <summary>The words that start this very lifeboat again.</summary>
    public static IReadOnlyList<string> Self() =>
        Program(Environment.ProcessPath, Path.Combine(AppContext.BaseDirectory, typeof(RestoreCommandLine).Assembly.GetName().Name + ".dll"));

    /// <summary>The command line for the program words <paramref name="program"/>.</summary>
    internal static string Build(IReadOnlyList<string> program, string configPath, string sourceName) =>
        string.Join(' ', program.Concat(["--config", configPath, "--quiet", "wal-fetch", "--name", sourceName]).Select(Word)) + " %f %p";

    /// <summary>What starts lifeboat: its executable, or, run as 'dotnet lifeboat.dll', the dotnet host and the assembly.</summary>
    internal static IReadOnlyList<string> Program(string? processPath, string assemblyPath)
    {
        var process = processPath ?? "lifeboat";
        return Path.GetFileNameWithoutExtension(process) == "dotnet" ? [process, assemblyPath] : [process];
    }

    /// <summary>One word, safe from PostgreSQL's %-expansion and from the shell.</summary>
    internal static string Word(string word) =>
        "'" + word.Replace("%", "%%", StringComparison.Ordinal).Replace("'", "'\"'\"'", StringComparison.Ordinal) + "'";
}
