namespace Lifeboat.TestKit.Servers;

/// <summary>
/// The data directory every private cluster starts as: initdb runs once per test process (about 0.7 s), and each
/// cluster gets a copy (a few tens of milliseconds).
/// </summary>
internal static class PostgresTemplate
{
    /// <summary>The file in the data directory that the template's postgresql.conf includes last: each start writes it.</summary>
    public const string StartSettingsFile = "lifeboat-private.conf";

    private static readonly Lazy<Task<string>> Created = new(() => CreateAsync(CancellationToken.None));

    /// <summary>The template's data directory, made on first use; never started, so copies of it are clean.</summary>
    public static Task<string> DataDirectoryAsync() => Created.Value;

    /// <summary>Makes <paramref name="dataDirectory"/>'s postgresql.conf include <see cref="StartSettingsFile"/> last, once.</summary>
    public static async Task IncludeStartSettingsAsync(string dataDirectory, CancellationToken cancellationToken)
    {
        var conf = Path.Combine(dataDirectory, "postgresql.conf");
        var include = $"include_if_exists = '{StartSettingsFile}'";
        if ((await File.ReadAllLinesAsync(conf, cancellationToken)).Contains(include, StringComparer.Ordinal))
            return;
        // Appending keeps the file's owner; later lines win, so the test's settings override the file's own.
        await File.AppendAllTextAsync(conf, $"\n# Lifeboat.TestKit: port, sockets and the test's settings, rewritten at every start.\n{include}\n", cancellationToken);
    }

    private static async Task<string> CreateAsync(CancellationToken cancellationToken)
    {
        var directory = Path.Combine(TestRunDirectory.Path, "postgres-template");
        await PostgresOsUser.CreateDirectoriesAsync([directory], cancellationToken);
        var passwordFile = Path.Combine(TestRunDirectory.Path, "postgres-password");
        await File.WriteAllTextAsync(passwordFile, PrivatePostgres.Password + "\n", cancellationToken);
        try
        {
            await PostgresOsUser.GiveFileAsync(passwordFile, cancellationToken);
            // Peer-free local trust for the server's own tools; SCRAM over TCP, as the devstack and production have.
            // --no-sync: a test cluster need not survive a power cut, and fsync costs seconds on a busy disk.
            await PostgresOsUser.RunAsync(PostgresBinaries.Program("initdb"),
                ["-D", directory, "-U", PrivatePostgres.Superuser, $"--pwfile={passwordFile}", "--encoding=UTF8", "--locale=C.UTF-8",
                 "--auth-local=trust", "--auth-host=scram-sha-256", "--no-sync", "--no-instructions"],
                cancellationToken);
        }
        finally
        {
            File.Delete(passwordFile);
        }

        await IncludeStartSettingsAsync(directory, cancellationToken);
        return directory;
    }
}
