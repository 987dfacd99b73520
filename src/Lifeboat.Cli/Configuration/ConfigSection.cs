namespace Lifeboat.Cli.Configuration;

/// <summary>A top-level section of the configuration and its declared keys; a list section holds entries that each have those keys.</summary>
/// <param name="Name">The section's key, e.g. repository or postgres.</param>
/// <param name="IsList">True when the section is a list of entries.</param>
/// <param name="Keys">The keys of the section, or of each of its entries.</param>
internal sealed record ConfigSection(string Name, bool IsList, IReadOnlyList<ConfigKey> Keys)
{
    /// <summary>The key's full path with list positions as "[]": postgres:[]:host.</summary>
    public string ShapeOf(ConfigKey key) => IsList ? $"{Name}:[]:{key.ConfigurationName}" : $"{Name}:{key.ConfigurationName}";
}
