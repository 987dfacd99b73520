using Lifeboat.Cli.Configuration;

namespace Lifeboat.Tests.Configuration;

/// <summary>A configuration file that is not valid YAML is reported at its line and column.</summary>
public sealed class YamlSyntaxTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("lifeboat-yaml-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private LifeboatException LoadFails(string yaml)
    {
        var path = Path.Combine(_dir, "lifeboat.yaml");
        File.WriteAllText(path, yaml);
        var error = Assert.Throws<LifeboatException>(() => YamlSyntax.Load(path));
        Assert.Equal(FailureKind.Usage, error.Kind);
        Assert.StartsWith($"configuration file {path} ", error.Message, StringComparison.Ordinal);
        return error;
    }

    [Fact]
    public void A_key_indented_deeper_than_its_siblings_is_reported_at_its_line_and_column()
    {
        var error = LoadFails("repository:\n  url: /tmp/x\n   keyFile: y\n");

        Assert.EndsWith("is not valid YAML: line 3, column 11: while scanning a plain scalar value, found invalid mapping", error.Message, StringComparison.Ordinal);
        Assert.StartsWith("fix the file at line 3;", error.Hint, StringComparison.Ordinal);
    }

    [Fact]
    public void A_tab_in_the_indentation_is_reported_at_the_tab_not_at_the_mapping_above_it()
    {
        var error = LoadFails("repository:\n  url: /tmp/x\n  encryption:\n\tkeyFile: y\n");

        Assert.Contains("line 4, column 1: while scanning a mapping, found invalid tab as indentation", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void An_unclosed_quote_and_a_duplicate_key_name_their_lines()
    {
        Assert.Contains("line 2, column 8: while scanning a quoted scalar", LoadFails("repository:\n  url: \"abc\n").Message, StringComparison.Ordinal);
        Assert.Contains("line 3, column 3: duplicate key url", LoadFails("repository:\n  url: a\n  url: b\n").Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Valid_yaml_that_is_a_list_is_not_a_configuration()
    {
        var error = LoadFails("- repository\n- postgres\n");

        Assert.EndsWith("is not a configuration: line 1, column 1: the top level is a list, not keys such as 'repository:'", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_well_formed_file_loads()
    {
        var path = Path.Combine(_dir, "ok.yaml");
        File.WriteAllText(path, "repository:\n  url: /tmp/x\n");

        Assert.Single(YamlSyntax.Load(path).Documents);
    }
}
