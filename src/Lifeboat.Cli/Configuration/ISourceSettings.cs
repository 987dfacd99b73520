namespace Lifeboat.Cli.Configuration;

/// <summary>One configured entry of a source section, e.g. one postgres: entry; the name tells it from the others of its kind.</summary>
public interface ISourceSettings
{
    /// <summary>The entry's name, unique within its kind.</summary>
    string Name { get; }
}
