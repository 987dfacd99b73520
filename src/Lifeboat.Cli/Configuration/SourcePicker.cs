namespace Lifeboat.Cli.Configuration;

/// <summary>Picks the configured entry of a source kind that a command works on: the one named, or the only one.</summary>
internal static class SourcePicker
{
    /// <summary>The entry of <paramref name="kind"/> named <paramref name="name"/>, or the only entry when no name is given.</summary>
    public static T Pick<T>(LifeboatSettings settings, SourceSection kind, string? name) where T : ISourceSettings
    {
        var entries = settings.Sources.OfType<T>().ToList();
        if (entries.Count == 0)
        {
            throw new LifeboatException(
                $"no {kind.Name} source is configured in {settings.Origin}",
                $"add a {kind.Section.Name}: entry (keys: {string.Join(", ", kind.Section.Keys.Select(k => k.Name))})", FailureKind.Usage);
        }

        if (name is null)
        {
            if (entries.Count > 1)
            {
                throw new LifeboatException(
                    $"{entries.Count} {kind.Name} sources are configured ({Names(entries)})",
                    "choose one with --name", FailureKind.Usage);
            }

            return entries[0];
        }

        return entries.FirstOrDefault(e => e.Name == name) ?? throw new LifeboatException(
            $"no {kind.Name} source named '{name}' in {settings.Origin}",
            $"configured: {Names(entries)}", FailureKind.Usage);
    }

    private static string Names<T>(List<T> entries) where T : ISourceSettings => string.Join(", ", entries.Select(e => e.Name));
}
