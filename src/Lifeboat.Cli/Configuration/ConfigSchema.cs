using System.Globalization;

namespace Lifeboat.Cli.Configuration;

/// <summary>Every configuration section Lifeboat understands, registered once; any other key is a typo and an error.</summary>
internal static class ConfigSchema
{
    /// <summary>The sections of the registered source kinds (<see cref="Sources.SourceKinds"/>).</summary>
    public static readonly IReadOnlyList<SourceSection> Sources = [.. Lifeboat.Cli.Sources.SourceKinds.All.Select(k => k.Config)];

    /// <summary>Every section, in the order the docs list them.</summary>
    public static readonly IReadOnlyList<ConfigSection> Sections = [RepositorySection.Section, .. Sources.Select(s => s.Section)];

    /// <summary>Leaf keys, with list positions written as "[]".</summary>
    public static readonly IReadOnlySet<string> Keys =
        Sections.SelectMany(section => section.Keys.Select(section.ShapeOf)).ToHashSet(StringComparer.OrdinalIgnoreCase);

    /// <summary>The schema form of a concrete key: numeric segments become "[]".</summary>
    public static string Shape(string key) =>
        string.Join(':', key.Split(':').Select(s => IsPosition(s) ? "[]" : s));

    /// <summary>True when the key is a leaf the schema knows, or a section above one.</summary>
    public static bool IsKnown(string key, bool isLeaf)
    {
        var shape = Shape(key);
        if (isLeaf)
            return Keys.Contains(shape);
        return Keys.Any(k => k.StartsWith(shape + ":", StringComparison.OrdinalIgnoreCase));
    }

    /// <summary>The list section a key is in when its second segment is not a list position (<see cref="PositionOf"/>); else null.</summary>
    public static ConfigSection? ListWithBadPosition(string key)
    {
        var segments = key.Split(':');
        if (segments.Length < 2 || IsPosition(segments[1]))
            return null;
        return Sections.FirstOrDefault(s => s.IsList && s.Name.Equals(segments[0], StringComparison.OrdinalIgnoreCase));
    }

    /// <summary>The key as users write it: postgres[0].port.</summary>
    public static string Display(string key) =>
        string.Join('.', key.Split(':').Select(s => IsPosition(s) ? $"[{s}]" : s)).Replace(".[", "[", StringComparison.Ordinal);

    /// <summary>True for a list position segment; see <see cref="PositionOf"/>.</summary>
    public static bool IsPosition(string segment) => PositionOf(segment) is not null;

    /// <summary>The list position a segment spells: "0", or digits without a leading zero that fit an int; else null.</summary>
    public static int? PositionOf(string segment)
    {
        // "00" or "01" would be read as 0 or 1 and silently merge with, or shadow, the entry written "0" or "1".
        var hasLeadingZero = segment.Length > 1 && segment[0] == '0';
        if (hasLeadingZero || !int.TryParse(segment, NumberStyles.None, CultureInfo.InvariantCulture, out var position))
            return null;
        return position;
    }
}
