using Lifeboat.IO;

namespace Lifeboat.Tests.IO;

/// <summary>A directory whose path cannot be followed is refused naming it, with what to check, not with a bare statx error.</summary>
public sealed class DirectoryLineageLoopTests : IDisposable
{
    private readonly string _work = Directory.CreateTempSubdirectory("lifeboat-lineage-").FullName;

    public void Dispose() => Directory.Delete(_work, recursive: true);

    [Fact]
    public void A_path_through_a_symbolic_link_loop_is_refused_naming_the_directory_with_a_hint_as_a_usage_error()
    {
        var loop = Path.Combine(_work, "loop");
        File.CreateSymbolicLink(loop, loop);
        var directory = Path.Combine(loop, "data");

        var error = Assert.Throws<LifeboatException>(() => DirectoryLineage.Of(directory));

        Assert.StartsWith($"cannot tell which directory '{directory}' is: statx of '{directory}' failed: ", error.Message, StringComparison.Ordinal);
        Assert.EndsWith("; nothing was written", error.Message, StringComparison.Ordinal);
        Assert.StartsWith("check the path and its permissions", error.Hint, StringComparison.Ordinal);
        Assert.Equal(FailureKind.Usage, error.Kind);
        Assert.Equal(40, Assert.IsType<IOException>(error.InnerException).HResult); // ELOOP
    }

    [Fact]
    public void A_path_through_a_loop_is_shown_as_the_caller_names_it()
    {
        var loop = Path.Combine(_work, "loop");
        File.CreateSymbolicLink(loop, loop);

        var error = Assert.Throws<LifeboatException>(() => DirectoryLineage.Of(Path.Combine(loop, "data"), "/var/lib/data"));

        Assert.StartsWith("cannot tell which directory '/var/lib/data' is: ", error.Message, StringComparison.Ordinal);
    }
}
