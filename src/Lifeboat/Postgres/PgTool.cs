using System.Text.RegularExpressions;
using Lifeboat.Processes;

namespace Lifeboat.Postgres;

/// <summary>A PostgreSQL client program (pg_dump, pg_restore) located and version-checked before use.</summary>
public sealed partial record PgTool(string Path, string VersionText, int Major)
{
    /// <summary>Finds <paramref name="name"/> in <paramref name="binDir"/> or on PATH and reads its version.</summary>
    public static async Task<PgTool> LocateAsync(string name, string? binDir, CancellationToken cancellationToken)
    {
        var path = Find(name, binDir) ?? throw new LifeboatException(
            binDir is null ? $"{name} was not found on PATH" : $"{name} was not found in {binDir}",
            "install the PostgreSQL client of the server's major version (Debian: postgresql-client-15), or set postgres[].binDir");
        var output = (await ChildProcess.RunAsync(path, ["--version"], new Dictionary<string, string?>(), cancellationToken)).Trim();
        var match = VersionPattern().Match(output);
        if (!match.Success)
            throw new LifeboatException($"could not read the version of {path} from '{output}'");
        return new PgTool(path, output, int.Parse(match.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture));
    }

    private static string? Find(string name, string? binDir)
    {
        if (binDir is not null)
        {
            var candidate = System.IO.Path.Combine(binDir, name);
            return File.Exists(candidate) ? candidate : null;
        }

        foreach (var dir in (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':', StringSplitOptions.RemoveEmptyEntries))
        {
            var candidate = System.IO.Path.Combine(dir, name);
            if (File.Exists(candidate))
                return candidate;
        }

        return null;
    }

    [GeneratedRegex(@"\(PostgreSQL\)\s+(\d+)")]
    private static partial Regex VersionPattern();
}
