using System.Diagnostics;

namespace Lifeboat.Tests.IO;

/// <summary>A tmpfs mounted at a directory for a test run as root (another file system, or a bind mount), unmounted on dispose.</summary>
internal sealed class MountedTmpfs : IDisposable
{
    private readonly string _at;

    private MountedTmpfs(string at) => _at = at;

    /// <summary>Mounts a fresh tmpfs at <paramref name="at"/>, which must exist.</summary>
    public static MountedTmpfs At(string at) => Mount(at, "-t", "tmpfs", "lifeboat-test", at);

    /// <summary>Mounts <paramref name="directory"/> again at <paramref name="at"/> (mount --bind).</summary>
    public static MountedTmpfs Bind(string directory, string at) => Mount(at, "--bind", directory, at);

    public void Dispose() => Run("umount", _at);

    private static MountedTmpfs Mount(string at, params string[] arguments)
    {
        Run("mount", arguments);
        return new MountedTmpfs(at);
    }

    private static void Run(string command, params string[] arguments)
    {
        using var process = Process.Start(new ProcessStartInfo(command, arguments) { RedirectStandardError = true })!;
        var error = process.StandardError.ReadToEnd();
        process.WaitForExit();
        if (process.ExitCode != 0)
            throw new InvalidOperationException($"{command} {string.Join(' ', arguments)} failed: {error}");
    }
}
