namespace Lifeboat.TestKit.Servers;

/// <summary>Where PostgreSQL's server programs (initdb, pg_ctl, postgres) are.</summary>
/// <remarks>
/// LIFEBOAT_TEST_PG_BIN first; then initdb on PATH; then Debian's /usr/lib/postgresql/MAJOR/bin, the newest major
/// installed. Debian does not put initdb on PATH, so on a fresh machine the last one finds the devstack's.
/// </remarks>
public static class PostgresBinaries
{
    private static readonly Lazy<string> Found = new(Find);

    /// <summary>The directory holding initdb, pg_ctl and postgres; throws, naming where it looked, when there is none.</summary>
    public static string Directory => Found.Value;

    /// <summary>The full path of one of the server's programs.</summary>
    public static string Program(string name) => Path.Combine(Directory, name);

    private static string Find()
    {
        if (TestEnvironment.PgBinDirectory is { } overridden)
            return HasServerPrograms(overridden)
                ? overridden
                : throw new InvalidOperationException($"LIFEBOAT_TEST_PG_BIN is '{overridden}', which lacks initdb, pg_ctl or postgres");
        var candidates = OnPath().Concat(DebianDirectories()).ToList();
        return candidates.FirstOrDefault(HasServerPrograms) ?? throw new InvalidOperationException(
            $"no PostgreSQL server programs (initdb, pg_ctl, postgres) in {string.Join(", ", candidates.DefaultIfEmpty("PATH or /usr/lib/postgresql/*/bin"))}: "
            + "run 'scripts/devstack.sh start', or set LIFEBOAT_TEST_PG_BIN");
    }

    private static IEnumerable<string> OnPath() =>
        (TestEnvironment.Optional("PATH") ?? "").Split(':', StringSplitOptions.RemoveEmptyEntries)
            .Select(dir => Path.Combine(dir, "initdb"))
            .Where(File.Exists)
            .Select(initdb => Path.GetDirectoryName(new FileInfo(initdb).ResolveLinkTarget(returnFinalTarget: true)?.FullName ?? initdb)!);

    private static IEnumerable<string> DebianDirectories() =>
        System.IO.Directory.Exists("/usr/lib/postgresql")
            ? System.IO.Directory.GetDirectories("/usr/lib/postgresql")
                .Select(dir => (Major: int.TryParse(Path.GetFileName(dir), out var major) ? major : -1, Bin: Path.Combine(dir, "bin")))
                .Where(d => d.Major > 0)
                .OrderByDescending(d => d.Major)
                .Select(d => d.Bin)
            : [];

    private static bool HasServerPrograms(string directory) =>
        new[] { "initdb", "pg_ctl", "postgres" }.All(program => File.Exists(Path.Combine(directory, program)));
}
