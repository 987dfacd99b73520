namespace Lifeboat.Cli.Configuration;

/// <summary>One configuration key, declared once: the unknown-key check, the binding and the docs all derive from it.</summary>
/// <param name="Name">The path inside its section as users write it, e.g. s3.region or host.</param>
/// <param name="Type">What the value is.</param>
/// <param name="Help">One line for docs/CONFIGURATION.md (Markdown).</param>
internal sealed record ConfigKey(string Name, ConfigValueType Type, string Help)
{
    /// <summary>The value used when the key is absent, spelt as in the file; null when there is none.</summary>
    public string? Default { get; init; }

    /// <summary>For the docs, what happens when the key is absent and there is no fixed default, e.g. "the name".</summary>
    public string? DefaultNote { get; init; }

    /// <summary>True when the key must be given.</summary>
    public bool Required { get; init; }

    /// <summary>The smallest value allowed for an <see cref="ConfigValueType.Int"/> key.</summary>
    public int Min { get; init; }

    /// <summary>The largest value allowed for an <see cref="ConfigValueType.Int"/> key.</summary>
    public int Max { get; init; }

    /// <summary>The values a <see cref="ConfigValueType.Choice"/> key allows, in the order the docs list them.</summary>
    public IReadOnlyList<string> Choices { get; init; } = [];

    /// <summary>The name as Microsoft.Extensions.Configuration spells it: s3:region.</summary>
    public string ConfigurationName => Name.Replace('.', ':');
}
