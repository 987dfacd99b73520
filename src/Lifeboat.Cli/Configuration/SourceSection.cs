namespace Lifeboat.Cli.Configuration;

/// <summary>
/// A kind of source (postgres, ...): a list section of named entries and how one entry binds to its settings record.
/// Registering one in <see cref="ConfigSchema.Sources"/> is all the loader, the key check and the picker need.
/// </summary>
internal sealed record SourceSection
{
    /// <summary>Declares a kind; <paramref name="section"/> must be a list section with a "name" key.</summary>
    public SourceSection(string name, ConfigSection section, Func<SectionValues, ISourceSettings> bind)
    {
        if (!section.IsList)
            throw new InvalidOperationException($"the section of source kind {name} must be a list section");
        Name = name;
        Section = section;
        Bind = bind;
        NameKey = section.Keys.SingleOrDefault(k => k.Name == "name") ??
            throw new InvalidOperationException($"the section of source kind {name} must declare a 'name' key");
    }

    /// <summary>The kind as messages name it: "postgres" in "two postgres sources are named …".</summary>
    public string Name { get; }

    /// <summary>The list section its entries are configured in.</summary>
    public ConfigSection Section { get; }

    /// <summary>Binds one entry; defaults, ranges and errors come from the key declarations.</summary>
    public Func<SectionValues, ISourceSettings> Bind { get; }

    /// <summary>The key that names an entry.</summary>
    public ConfigKey NameKey { get; }
}
