namespace Lifeboat.Cli.Configuration;

/// <summary>The validated configuration of one lifeboat run.</summary>
/// <param name="Origin">Where it came from, for messages: a file path or "defaults".</param>
/// <param name="Repository">Where backups go.</param>
/// <param name="Sources">Every configured source entry, of every kind; each kind's entries in list order.</param>
public sealed record LifeboatSettings(string Origin, RepositorySettings Repository, IReadOnlyList<ISourceSettings> Sources)
{
    /// <summary>The configured entries of one source kind, in list order.</summary>
    public IReadOnlyList<T> SourcesOf<T>() where T : ISourceSettings => [.. Sources.OfType<T>()];
}
