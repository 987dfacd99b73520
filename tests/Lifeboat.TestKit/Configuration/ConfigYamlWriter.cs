using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;

namespace Lifeboat.TestKit.Configuration;

/// <summary>Writes a config tree as block-style YAML, quoting every value that plain YAML could misread.</summary>
internal static partial class ConfigYamlWriter
{
    private static readonly HashSet<string> WordsYamlReadsAsNonText = new(StringComparer.OrdinalIgnoreCase)
    {
        "null", "~", "true", "false", "yes", "no", "on", "off", "y", "n",
    };

    public static string Write(ConfigMap root)
    {
        var text = new StringBuilder();
        WriteEntries(text, root, indent: 0, firstLinePrefix: null);
        return text.ToString();
    }

    private static void WriteEntries(StringBuilder text, ConfigMap map, int indent, string? firstLinePrefix)
    {
        for (var i = 0; i < map.Entries.Count; i++)
        {
            var (key, value) = map.Entries[i];
            text.Append(i == 0 && firstLinePrefix is not null ? firstLinePrefix : new string(' ', indent)).Append(key).Append(':');
            WriteValue(text, value, indent);
        }
    }

    private static void WriteValue(StringBuilder text, ConfigNode value, int indent)
    {
        switch (value)
        {
            case ConfigScalar { Value: null }:
                text.Append('\n');
                break;
            case ConfigScalar scalar:
                text.Append(' ').Append(Scalar(scalar.Value)).Append('\n');
                break;
            case ConfigMap { Entries.Count: 0 }:
                text.Append(" {}\n");
                break;
            case ConfigMap map:
                text.Append('\n');
                WriteEntries(text, map, indent + 2, firstLinePrefix: null);
                break;
            case ConfigList { Items.Count: 0 }:
                text.Append(" []\n");
                break;
            case ConfigList list:
                text.Append('\n');
                WriteItems(text, list, indent + 2);
                break;
        }
    }

    private static void WriteItems(StringBuilder text, ConfigList list, int indent)
    {
        var dash = new string(' ', indent) + "- ";
        foreach (var item in list.Items)
        {
            if (item is ConfigMap { Entries.Count: > 0 } map)
            {
                WriteEntries(text, map, indent + 2, firstLinePrefix: dash);
                continue;
            }

            text.Append(dash.TrimEnd());
            WriteValue(text, item, indent);
        }
    }

    /// <summary>The value plain when YAML reads it back as the same text, else double-quoted with escapes.</summary>
    private static string Scalar(string value)
    {
        if (PlainSafe().IsMatch(value) && !WordsYamlReadsAsNonText.Contains(value))
            return value;
        var quoted = new StringBuilder("\"");
        foreach (var c in value)
            quoted.Append(Escaped(c));
        return quoted.Append('"').ToString();
    }

    private static string Escaped(char c) => c switch
    {
        '"' => "\\\"",
        '\\' => "\\\\",
        '\n' => "\\n",
        '\t' => "\\t",
        '\r' => "\\r",
        _ when char.IsControl(c) => "\\u" + ((int)c).ToString("x4", CultureInfo.InvariantCulture),
        _ => c.ToString(),
    };

    // Letters, digits and the punctuation of paths, URLs and names; no spaces, no leading indicator.
    [GeneratedRegex(@"^[A-Za-z0-9_./][A-Za-z0-9_./:@%+=,~-]*$")]
    private static partial Regex PlainSafe();
}
