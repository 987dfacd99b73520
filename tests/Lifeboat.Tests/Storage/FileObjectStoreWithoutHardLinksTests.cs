using Lifeboat.Storage;

namespace Lifeboat.Tests.Storage;

/// <summary>
/// Where the repository's file system has no hard links, publishing an object falls back to a no-replace rename, as
/// atomic and as refusing; where it has neither, it says so.
/// </summary>
public sealed class FileObjectStoreWithoutHardLinksTests : IDisposable
{
    private const int NotPermitted = 1; // EPERM
    private const int PermissionDenied = 13; // EACCES
    private const int InvalidArgument = 22; // EINVAL
    private const int NotSupported = 95; // EOPNOTSUPP
    private readonly string _work = Directory.CreateTempSubdirectory("lifeboat-nolink-").FullName;

    private string Source => Path.Join(_work, "temp");

    private string Target => Path.Join(_work, "object");

    public void Dispose() => Directory.Delete(_work, recursive: true);

    [Fact]
    public void Without_hard_links_the_file_is_renamed_to_a_free_name()
    {
        File.WriteAllText(Source, "new");

        Assert.True(ExclusiveLink.TryCreate(Source, Target, (_, _) => NotPermitted, ExclusiveLink.RenameNoReplaceErrno));

        Assert.Equal("new", File.ReadAllText(Target));
        Assert.False(File.Exists(Source));
    }

    [Fact]
    public void Without_hard_links_a_taken_name_is_refused_and_the_object_there_kept()
    {
        File.WriteAllText(Source, "new");
        File.WriteAllText(Target, "first");

        Assert.False(ExclusiveLink.TryCreate(Source, Target, (_, _) => NotSupported, ExclusiveLink.RenameNoReplaceErrno));

        Assert.Equal("first", File.ReadAllText(Target));
        Assert.Equal("new", File.ReadAllText(Source));
    }

    [Fact]
    public void A_file_system_with_neither_hard_links_nor_no_replace_renames_is_named()
    {
        var error = Assert.Throws<NotSupportedException>(() => ExclusiveLink.TryCreate(Source, Target, (_, _) => NotPermitted, (_, _) => InvalidArgument));

        Assert.StartsWith($"the file system of '{_work}' supports neither hard links nor no-replace renames: ", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Another_link_failure_is_reported_and_no_rename_is_tried()
    {
        var error = Assert.Throws<IOException>(() => ExclusiveLink.TryCreate(Source, Target, (_, _) => PermissionDenied, (_, _) => throw new InvalidOperationException("renamed")));

        Assert.StartsWith($"link of '{Source}' to '{Target}' failed: ", error.Message, StringComparison.Ordinal);
    }
}
