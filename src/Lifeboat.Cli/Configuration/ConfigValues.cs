using System.Globalization;
using Microsoft.Extensions.Configuration;

namespace Lifeboat.Cli.Configuration;

/// <summary>The merged configuration (the file, then environment overrides), knowing where each value came from.</summary>
internal sealed class ConfigValues(IConfiguration merged, IConfiguration environment, string fileOrigin, string baseDirectory)
{
    /// <summary>The prefix of environment overrides: LIFEBOAT_repository__url.</summary>
    public const string EnvironmentPrefix = "LIFEBOAT_";

    /// <summary>The directory relative paths resolve against.</summary>
    public string BaseDirectory => baseDirectory;

    /// <summary>The raw value of a full key (postgres:0:host), or null.</summary>
    public string? this[string key] => merged[key];

    /// <summary>The environment variable that overrides a full key.</summary>
    public static string VariableFor(string key) => EnvironmentPrefix + key.Replace(":", "__", StringComparison.Ordinal);

    /// <summary>Where a full key's value came from, for messages: the override variable or the file.</summary>
    public string Origin(string key) => environment[key] is not null ? $"environment variable {VariableFor(key)}" : fileOrigin;

    /// <summary>The values of a section that is not a list.</summary>
    public SectionValues Section(ConfigSection section) => new(this, section.Name + ":");

    /// <summary>The entries of a list section, in order of their list positions.</summary>
    public IEnumerable<SectionValues> Entries(ConfigSection section) =>
        merged.GetSection(section.Name).GetChildren()
            .Select(child => PositionOf(section, child.Key))
            .Order()
            .Select(position => new SectionValues(this, $"{section.Name}:{position.ToString(CultureInfo.InvariantCulture)}:"));

    // The unknown-key check has already turned away every segment that is not a list position, with a usage error.
    private static int PositionOf(ConfigSection section, string segment) =>
        ConfigSchema.PositionOf(segment) ?? throw new InvalidOperationException(
            $"'{segment}' under {section.Name} is not a list position, but passed the configuration key check");
}
