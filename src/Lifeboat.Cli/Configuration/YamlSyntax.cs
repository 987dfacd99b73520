using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace Lifeboat.Cli.Configuration;

/// <summary>
/// Reads a configuration file as YAML before the configuration provider does, so a syntax error names its line and
/// column (the provider's own message names neither) and a file that is valid YAML but not keys and values says so.
/// </summary>
internal static class YamlSyntax
{
    /// <summary>The parsed file; a syntax error or a top level other than keys and values is a usage error at its line and column.</summary>
    public static YamlStream Load(string path)
    {
        var stream = new YamlStream();
        try
        {
            using var reader = File.OpenText(path);
            stream.Load(reader);
        }
        catch (YamlException e)
        {
            var (line, column) = FirstTabIndentation(path) is { } tab && e.Message.Contains("tab", StringComparison.Ordinal) ? tab : (e.Start.Line, e.Start.Column);
            throw new LifeboatException(
                $"configuration file {path} is not valid YAML: line {line}, column {column}: {Reason(e)}",
                $"fix the file at line {line}; indent with spaces, and put each 'key: value' on its own line", FailureKind.Usage, e);
        }

        foreach (var document in stream.Documents)
        {
            if (document.RootNode is not YamlMappingNode)
            {
                throw new LifeboatException(
                    $"configuration file {path} is not a configuration: {At(document.RootNode.Start)}: the top level is {Kind(document.RootNode)}, not keys such as 'repository:'",
                    "write the settings as keys and values; docs/CONFIGURATION.md lists them", FailureKind.Usage);
            }
        }

        return stream;
    }

    // YamlDotNet places a tab in the indentation at the start of the mapping it was found in, which may be far above it.
    private static (long Line, long Column)? FirstTabIndentation(string path)
    {
        var number = 0L;
        foreach (var text in File.ReadLines(path))
        {
            number++;
            var indentation = text.Length - text.TrimStart(' ', '\t').Length;
            var tab = text.IndexOf('\t', StringComparison.Ordinal);
            if (tab >= 0 && tab < indentation)
                return (number, tab + 1);
        }

        return null;
    }

    private static string At(Mark mark) => $"line {mark.Line}, column {mark.Column}";

    // YamlDotNet says "While scanning a plain scalar value, found invalid mapping"; in a sentence it starts lowercase.
    private static string Reason(YamlException e)
    {
        var reason = e.Message.TrimEnd('.', ' ');
        return reason.Length > 1 && char.IsUpper(reason[0]) && !char.IsUpper(reason[1]) ? char.ToLowerInvariant(reason[0]) + reason[1..] : reason;
    }

    private static string Kind(YamlNode node) => node switch
    {
        YamlSequenceNode => "a list",
        YamlScalarNode => "a single value",
        _ => "not a mapping",
    };
}
