namespace Lifeboat.TestKit.Servers;

/// <summary>
/// The OS user private PostgreSQL clusters run as. initdb and postgres refuse to run as root, and tests run as root in
/// CI, so there they run as 'postgres' through runuser, as scripts/devstack.sh does; otherwise as the current user.
/// </summary>
internal static class PostgresOsUser
{
    private const string Name = "postgres";

    /// <summary>
    /// Where the server's programs start. Not the test host's directory, which runuser would keep: initdb and pg_ctl
    /// look up their current directory and change back into it while finding their own executable, and in a checkout
    /// the server's user may not enter (under /root, mode 0700) that warns or fails ("could not change directory",
    /// "could not identify current directory"). Every user may enter the root directory.
    /// </summary>
    internal const string StartDirectory = "/";

    private static bool AsOtherUser => Environment.IsPrivilegedProcess;

    /// <summary>Runs a PostgreSQL program as the server's user; throws with its output when it fails.</summary>
    public static Task<string> RunAsync(string program, IEnumerable<string> arguments, CancellationToken cancellationToken) =>
        AsOtherUser
            ? ExternalCommand.RunAsync("runuser", ["-u", Name, "--", program, .. arguments], StartDirectory, cancellationToken)
            : ExternalCommand.RunAsync(program, arguments, StartDirectory, cancellationToken);

    /// <summary>Like <see cref="RunAsync"/>, returning the exit code and outputs instead of throwing.</summary>
    public static Task<(int ExitCode, string Output, string Errors)> TryRunAsync(
        string program, IEnumerable<string> arguments, CancellationToken cancellationToken) =>
        AsOtherUser
            ? ExternalCommand.TryRunAsync("runuser", ["-u", Name, "--", program, .. arguments], StartDirectory, cancellationToken)
            : ExternalCommand.TryRunAsync(program, arguments, StartDirectory, cancellationToken);

    /// <summary>Creates directories only the server's user may enter (mode 0700), as PostgreSQL wants its data and sockets.</summary>
    public static async Task CreateDirectoriesAsync(IEnumerable<string> paths, CancellationToken cancellationToken)
    {
        if (!AsOtherUser)
        {
            foreach (var path in paths)
                Directory.CreateDirectory(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
            return;
        }

        await ExternalCommand.RunAsync("install", ["-d", "-o", Name, "-g", Name, "-m", "0700", .. paths], cancellationToken);
    }

    /// <summary>Hands a directory tree to the server's user with mode 0700 on its top, as postgres requires of a data directory.</summary>
    public static async Task TakeOwnershipAsync(string path, CancellationToken cancellationToken)
    {
        if (AsOtherUser)
            await ExternalCommand.RunAsync("chown", ["-R", $"{Name}:{Name}", path], cancellationToken);
        File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
    }

    /// <summary>Makes a file the test wrote readable and owned by the server's user, like the rest of the data directory.</summary>
    public static async Task GiveFileAsync(string path, CancellationToken cancellationToken)
    {
        if (AsOtherUser)
            await ExternalCommand.RunAsync("chown", [$"{Name}:{Name}", path], cancellationToken);
    }
}
