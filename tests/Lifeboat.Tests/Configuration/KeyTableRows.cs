using Lifeboat.Cli.Configuration;

namespace Lifeboat.Tests.Configuration;

/// <summary>The rows docs/CONFIGURATION.md must have for a section's declared keys: key | type | default | help.</summary>
internal static class KeyTableRows
{
    public static IEnumerable<string> For(ConfigSection section) =>
        section.Keys.Select(key => $"| `{ConfigSchema.Display(section.ShapeOf(key))}` | {TypeOf(key)} | {DefaultOf(key)} | {key.Help} |");

    private static string TypeOf(ConfigKey key) => key.Type switch
    {
        ConfigValueType.Text => "string",
        ConfigValueType.Int => $"int {key.Min}–{key.Max}",
        ConfigValueType.Bool => "bool",
        ConfigValueType.SecretReference => "env var name",
        ConfigValueType.Path => "path",
        ConfigValueType.Url => "url",
        ConfigValueType.UrlOrPath => "url or path",
        ConfigValueType.Choice => "one of " + string.Join(", ", key.Choices.Select(c => $"`{c}`")),
        _ => throw new ArgumentOutOfRangeException(nameof(key), key.Type, "a type the docs have no word for"),
    };

    private static string DefaultOf(ConfigKey key)
    {
        if (key.Default is not null)
            return $"`{key.Default}`";
        if (key.Required)
            return "required";
        return key.DefaultNote ?? "—";
    }
}
