namespace Lifeboat.Tests.Architecture;

/// <summary>The checked-out source tree the tests were built from, for tests that read the code itself.</summary>
internal static class SourceTree
{
    /// <summary>The directory holding Lifeboat.slnx.</summary>
    public static string Root { get; } = FindRoot();

    /// <summary>The core library's directory, src/Lifeboat.</summary>
    public static string Library { get; } = Path.Combine(Root, "src", "Lifeboat");

    /// <summary>The C# files of the core library, without build output.</summary>
    public static IEnumerable<string> LibraryFiles() =>
        Directory.EnumerateFiles(Library, "*.cs", SearchOption.AllDirectories)
            .Where(file => !Path.GetRelativePath(Library, file).Split(Path.DirectorySeparatorChar).Any(d => d is "bin" or "obj"));

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Lifeboat.slnx")))
                return dir.FullName;
        }

        throw new InvalidOperationException($"no Lifeboat.slnx above {AppContext.BaseDirectory}");
    }
}
