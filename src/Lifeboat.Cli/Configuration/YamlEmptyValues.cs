using YamlDotNet.RepresentationModel;

namespace Lifeboat.Cli.Configuration;

/// <summary>
/// Finds keys written with no value ('url:' or 'url: ""'). The configuration provider drops them silently,
/// which would turn a half-edited file into defaults; Lifeboat treats them as mistakes.
/// </summary>
internal static class YamlEmptyValues
{
    /// <summary>The first key in <paramref name="stream"/> with an empty value, as postgres[0].host, or null.</summary>
    public static string? FindFirst(YamlStream stream) =>
        stream.Documents.Select(d => Find(d.RootNode, "")).FirstOrDefault(k => k is not null);

    private static string? Find(YamlNode node, string path) => node switch
    {
        YamlMappingNode map => map.Children
            .Select(child => child.Value is YamlScalarNode { Value: null or "" }
                ? Join(path, ((YamlScalarNode)child.Key).Value ?? "")
                : Find(child.Value, Join(path, (child.Key as YamlScalarNode)?.Value ?? "")))
            .FirstOrDefault(k => k is not null),
        YamlSequenceNode list => list.Children.Select((item, i) => Find(item, $"{path}[{i}]")).FirstOrDefault(k => k is not null),
        _ => null,
    };

    private static string Join(string path, string key) => path.Length == 0 ? key : $"{path}.{key}";
}
