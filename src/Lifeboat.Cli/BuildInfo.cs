using System.Reflection;
using System.Runtime.InteropServices;

namespace Lifeboat.Cli;

/// <summary>What this executable is: its version, the commit and day it was built from, and the runtime it runs on.</summary>
internal static class BuildInfo
{
    private const string Unknown = "unknown";

    /// <summary>The release version, e.g. "0.3.0".</summary>
    public static string Version { get; } =
        typeof(BuildInfo).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? Unknown;

    /// <summary>The git commit the build was made from (Lifeboat.Cli.csproj embeds it), or "unknown" when built without git.</summary>
    public static string Commit { get; } = Metadata("LifeboatCommit");

    /// <summary>The UTC day of the build, yyyy-MM-dd.</summary>
    public static string BuildDate { get; } = Metadata("LifeboatBuildDate");

    /// <summary>"lifeboat 0.3.0 (commit abc1234, built 2026-12-03) .NET 10.0.0 linux-x64".</summary>
    public static string VersionLine =>
        $"lifeboat {Version} (commit {Commit}, built {BuildDate}) {RuntimeInformation.FrameworkDescription} {RuntimeInformation.RuntimeIdentifier}";

    private static string Metadata(string key)
    {
        var value = typeof(BuildInfo).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>().FirstOrDefault(a => a.Key == key)?.Value;
        return string.IsNullOrWhiteSpace(value) ? Unknown : value;
    }
}
