using System.Globalization;

namespace Lifeboat.TestKit.Configuration;

/// <summary>A key as users write it and error messages name it: repository.s3.endpoint, postgres[0].port.</summary>
internal static class ConfigKeyPath
{
    /// <summary>The steps of <paramref name="path"/>: a name for each dotted part, then an index for each [n].</summary>
    public static IReadOnlyList<ConfigKeyStep> Parse(string path)
    {
        var steps = new List<ConfigKeyStep>();
        foreach (var part in path.Split('.'))
        {
            var bracket = part.IndexOf('[', StringComparison.Ordinal);
            var name = bracket < 0 ? part : part[..bracket];
            if (name.Length == 0)
                throw new ArgumentException($"'{path}' has an empty key", nameof(path));
            steps.Add(ConfigKeyStep.Named(name));
            if (bracket >= 0)
                steps.AddRange(Indexes(path, part[bracket..]));
        }

        return steps;
    }

    private static IEnumerable<ConfigKeyStep> Indexes(string path, string brackets)
    {
        foreach (var index in brackets.Split('[', StringSplitOptions.RemoveEmptyEntries))
        {
            if (!index.EndsWith(']') || !int.TryParse(index[..^1], NumberStyles.None, CultureInfo.InvariantCulture, out var value))
                throw new ArgumentException($"'{path}' has an index that is not [number]", nameof(path));
            yield return ConfigKeyStep.At(value);
        }
    }
}

/// <summary>One step down a config key path: into a mapping by name, or into a list by index.</summary>
internal readonly record struct ConfigKeyStep(string? Name, int Index)
{
    public static ConfigKeyStep Named(string name) => new(name, -1);

    public static ConfigKeyStep At(int index) => new(null, index);

    public bool IsIndex => Name is null;
}
