namespace Lifeboat.Cli.Configuration;

/// <summary>Reads the entries of any registered source kind, with the checks every kind shares: a name, and no two alike.</summary>
internal static class SourceEntries
{
    /// <summary>Binds every entry of the kind's section, in list order.</summary>
    public static IReadOnlyList<ISourceSettings> Read(ConfigValues values, SourceSection kind)
    {
        var positionOfName = new Dictionary<string, string>(StringComparer.Ordinal);
        var entries = new List<ISourceSettings>();
        foreach (var entry in values.Entries(kind.Section))
        {
            // The name first: a duplicate is reported before anything else in the entry.
            var name = entry.Text(kind.NameKey);
            if (positionOfName.TryGetValue(name, out var earlier))
            {
                throw new LifeboatException(
                    $"two {kind.Name} sources are named '{name}' in {entry.Origin(kind.NameKey)} ({earlier} and {entry.DisplayName})",
                    "give each source its own name", FailureKind.Usage);
            }

            positionOfName[name] = entry.DisplayName;
            entries.Add(kind.Bind(entry));
        }

        return entries;
    }
}
