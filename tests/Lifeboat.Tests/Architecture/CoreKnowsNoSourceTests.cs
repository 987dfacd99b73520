using System.Text.RegularExpressions;

namespace Lifeboat.Tests.Architecture;

/// <summary>
/// Storage, Format and Repository are the core every source builds on; they name no source, so a new source kind
/// adds its own folder instead of bending them (docs/ARCHITECTURE.md).
/// </summary>
public sealed partial class CoreKnowsNoSourceTests
{
    private static readonly string[] CoreFolders = ["Storage", "Format", "Repository"];

    // Everything in src/Lifeboat that is not core or a shared utility is a source.
    private static readonly string[] SharedFolders = [.. CoreFolders, "IO", "Processes", "bin", "obj"];

    [Fact]
    public void No_core_file_references_a_source_namespace()
    {
        var library = SourceTree.Library;
        var sources = Directory.GetDirectories(library).Select(Path.GetFileName).Where(d => !SharedFolders.Contains(d)).ToList();
        Assert.Contains("Postgres", sources);

        var offenders = CoreFolders
            .SelectMany(folder => Directory.EnumerateFiles(Path.Combine(library, folder), "*.cs", SearchOption.AllDirectories))
            .SelectMany(file => sources
                .Where(source => Regex.IsMatch(File.ReadAllText(file), $@"\bLifeboat\.{source}\b"))
                .Select(source => $"{Path.GetRelativePath(library, file)} references Lifeboat.{source}"))
            .ToList();

        Assert.Empty(offenders);
    }

    [Fact]
    public void No_core_file_names_a_source_type_in_code()
    {
        var library = SourceTree.Library;
        var offenders = CoreFolders
            .SelectMany(folder => Directory.EnumerateFiles(Path.Combine(library, folder), "*.cs", SearchOption.AllDirectories))
            .SelectMany(file => File.ReadLines(file)
                .Select((line, i) => (Line: line, Number: i + 1))
                .Where(l => !IsComment(l.Line) && SourceTypeLiteral().IsMatch(l.Line))
                .Select(l => $"{Path.GetRelativePath(library, file)}:{l.Number}: {l.Line.Trim()}"))
            .ToList();

        Assert.Empty(offenders);
    }

    private static bool IsComment(string line) => line.TrimStart().StartsWith("//", StringComparison.Ordinal);

    [GeneratedRegex(@"""[^""]*\b(postgres|pg_dump|pg_restore|redis)\b[^""]*""", RegexOptions.IgnoreCase)]
    private static partial Regex SourceTypeLiteral();
}
