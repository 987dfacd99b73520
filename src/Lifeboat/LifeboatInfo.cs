using System.Reflection;

namespace Lifeboat;

/// <summary>Facts about this build of Lifeboat.</summary>
public static class LifeboatInfo
{
    /// <summary>The informational version, e.g. 0.1.0.</summary>
    public static string Version { get; } =
        typeof(LifeboatInfo).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion.Split('+')[0] ?? "0.0.0";
}
