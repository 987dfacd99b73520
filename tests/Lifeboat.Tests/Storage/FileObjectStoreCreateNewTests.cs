using Lifeboat.Storage;

namespace Lifeboat.Tests.Storage;

/// <summary>What a file store's create-if-absent leaves on disk: a private file, fsynced and linked, and no temp file.</summary>
public sealed class FileObjectStoreCreateNewTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("lifeboat-create-new-").FullName;
    private readonly FileObjectStore _store;

    public FileObjectStoreCreateNewTests() => _store = new FileObjectStore(_root);

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public void Dispose() => Directory.Delete(_root, recursive: true);

    [Fact]
    public async Task A_created_object_is_a_private_file_with_one_name_in_new_private_directories()
    {
        Assert.True(await _store.TryCreateNewAsync("a/b/claim", new byte[] { 1, 2 }, Ct));

        var path = Path.Join(_root, "a/b/claim");
        Assert.Equal([1, 2], await File.ReadAllBytesAsync(path, Ct));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(path));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute, File.GetUnixFileMode(Path.Join(_root, "a/b")));
        Assert.Empty(Directory.GetFiles(Path.Join(_root, ".tmp")));
    }

    [Fact]
    public async Task A_refused_create_leaves_no_temp_file_and_the_object_untouched()
    {
        Assert.True(await _store.TryCreateNewAsync("claim", new byte[] { 1 }, Ct));
        var before = File.GetLastWriteTimeUtc(Path.Join(_root, "claim"));

        Assert.False(await _store.TryCreateNewAsync("claim", new byte[] { 2, 2 }, Ct));

        Assert.Equal([1], await File.ReadAllBytesAsync(Path.Join(_root, "claim"), Ct));
        Assert.Equal(before, File.GetLastWriteTimeUtc(Path.Join(_root, "claim")));
        Assert.Empty(Directory.GetFiles(Path.Join(_root, ".tmp")));
    }

    [Fact]
    public async Task A_key_naming_a_directory_fails_naming_the_key_rather_than_passing_for_an_existing_object()
    {
        Assert.True(await _store.TryCreateNewAsync("folder/inside", new byte[] { 1 }, Ct));

        var error = await Assert.ThrowsAsync<LifeboatException>(() => _store.TryCreateNewAsync("folder", new byte[] { 2 }, Ct));

        Assert.StartsWith($"cannot write object 'folder' in {_store.Location}: ", error.Message, StringComparison.Ordinal);
        Assert.Empty(Directory.GetFiles(Path.Join(_root, ".tmp")));
    }

    [Theory]
    [InlineData(".tmp")]
    [InlineData(".tmp/x")]
    public async Task The_temp_directory_name_is_reserved(string key)
    {
        await Assert.ThrowsAsync<InvalidObjectKeyException>(() => _store.TryCreateNewAsync(key, new byte[] { 1 }, Ct));
    }
}
