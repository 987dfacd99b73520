using System.Collections.Concurrent;

namespace Lifeboat.Processes;

/// <summary>
/// What child processes must not inherit: every variable Lifeboat read a secret from, Lifeboat's own
/// settings, and libpq variables that could point a tool at another server than the one configured.
/// </summary>
public static class ChildEnvironment
{
    private static readonly ConcurrentDictionary<string, bool> Hidden = new(StringComparer.Ordinal);

    private static readonly string[] Redirecting = ["PGHOSTADDR", "PGSERVICE", "PGSERVICEFILE", "PGOPTIONS", "PGREQUIRESSL"];

    /// <summary>Marks an environment variable that holds a secret, so no child sees it.</summary>
    public static void HideSecret(string variable) => Hidden[variable] = true;

    /// <summary>True when a child must not inherit <paramref name="variable"/>.</summary>
    public static bool IsHidden(string variable) =>
        Hidden.ContainsKey(variable)
        || variable.StartsWith("LIFEBOAT_", StringComparison.Ordinal)
        || Redirecting.Contains(variable, StringComparer.Ordinal);
}
