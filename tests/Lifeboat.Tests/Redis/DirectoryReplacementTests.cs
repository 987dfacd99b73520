using Lifeboat.Redis;

namespace Lifeboat.Tests.Redis;

/// <summary>
/// restore redis --to DIR --aof --force puts the new append-only directory in place of the old one: when the new one
/// cannot take the name, the old one is back under it, never left under the name it was moved aside to.
/// </summary>
public sealed class DirectoryReplacementTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("lifeboat-replace-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public void The_new_directory_takes_the_name_and_the_old_one_is_removed()
    {
        var (replacement, target, aside) = Layout();

        DirectoryReplacement.Replace(replacement, target, aside);

        Assert.Equal(["new"], Names(target));
        Assert.Equal(["target"], Names(_dir));
    }

    [Fact]
    public void When_the_new_directory_cannot_take_the_name_the_old_one_is_put_back()
    {
        var (replacement, target, aside) = Layout();

        var e = Assert.Throws<LifeboatException>(() => DirectoryReplacement.Replace(replacement, target, aside, FailingMove(replacement)));

        Assert.Equal($"{target} could not be replaced: Operation not permitted", e.Message);
        Assert.Equal("nothing was replaced, the directory there is as it was: check the permissions of its parent directory and restore again", e.Hint);
        Assert.Equal(["old"], Names(target));
        Assert.Equal(["new"], Names(replacement));
        Assert.False(Directory.Exists(aside));
    }

    [Fact]
    public void When_the_old_directory_cannot_be_put_back_either_the_message_says_where_it_is()
    {
        var (replacement, target, aside) = Layout();

        var e = Assert.Throws<LifeboatException>(() => DirectoryReplacement.Replace(replacement, target, aside, FailingMove(replacement, aside)));

        Assert.Equal($"{target} could not be replaced (Operation not permitted), and the directory that was there could not be put back (Operation not permitted): it is at {aside}", e.Message);
        Assert.Equal($"rename {aside} back to {target} before a server starts on it", e.Hint);
        Assert.Equal(["old"], Names(aside));
    }

    /// <summary>The old directory (holding "old") at "target", the new one (holding "new") beside it, and the name to move the old one aside to.</summary>
    private (string Replacement, string Target, string Aside) Layout()
    {
        var target = Path.Combine(_dir, "target");
        var replacement = Path.Combine(_dir, ".target.new");
        File.WriteAllText(Path.Combine(Directory.CreateDirectory(target).FullName, "old"), "");
        File.WriteAllText(Path.Combine(Directory.CreateDirectory(replacement).FullName, "new"), "");
        return (replacement, target, Path.Combine(_dir, ".target.old"));
    }

    /// <summary>Renames as Directory.Move does, but fails, as rename(2) would with EPERM, to move any of <paramref name="refused"/>.</summary>
    private static Action<string, string> FailingMove(params string[] refused) => (source, destination) =>
    {
        if (refused.Contains(source))
            throw new IOException("Operation not permitted", 1);
        Directory.Move(source, destination);
    };

    private static string[] Names(string directory) => [.. Directory.GetFileSystemEntries(directory).Select(Path.GetFileName).Order(StringComparer.Ordinal)!];
}
