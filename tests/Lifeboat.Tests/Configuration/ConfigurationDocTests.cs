using Lifeboat.Cli.Configuration;

namespace Lifeboat.Tests.Configuration;

public sealed class ConfigurationDocTests
{
    [Fact]
    public void The_key_tables_of_the_configuration_doc_match_the_declared_keys()
    {
        var expected = ConfigSchema.Sections.SelectMany(section => (string[])[$"### {section.Name}", .. KeyTableRows.For(section)]);

        var documented = File.ReadAllLines(DocPath())
            .SkipWhile(line => line != "## Keys")
            .Where(line => line.StartsWith("### ", StringComparison.Ordinal) || line.StartsWith("| `", StringComparison.Ordinal));

        Assert.Equal(expected, documented);
    }

    private static string DocPath()
    {
        var directory = new DirectoryInfo(AppContext.BaseDirectory);
        while (!File.Exists(Path.Combine(directory.FullName, "Lifeboat.slnx")))
            directory = directory.Parent ?? throw new InvalidOperationException($"no Lifeboat.slnx above {AppContext.BaseDirectory}");
        return Path.Combine(directory.FullName, "docs", "CONFIGURATION.md");
    }
}
