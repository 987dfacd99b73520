using Lifeboat.Storage;

namespace Lifeboat.IntegrationTests.Storage;

/// <summary>The conformance suite on a local directory, plus what only a file store promises.</summary>
public sealed class FileObjectStoreConformance : ObjectStoreConformance
{
    private readonly string _scratch = Path.Join(Path.GetTempPath(), "lifeboat-tests", Guid.NewGuid().ToString("N"));

    private string Root => Path.Join(_scratch, "repo");

    protected override Task<IObjectStore> OpenFreshStoreAsync(CancellationToken cancellationToken)
    {
        Directory.CreateDirectory(Root);
        return Task.FromResult<IObjectStore>(new FileObjectStore(Root));
    }

    protected override IObjectStore OpenStoreWithMissingContainer() => new FileObjectStore(Path.Join(_scratch, "missing", "repo"));

    protected override Task RemoveContainerAsync(IObjectStore store) => Task.CompletedTask;

    protected override Task CleanUpAsync(IObjectStore store)
    {
        if (Directory.Exists(_scratch))
            Directory.Delete(_scratch, recursive: true);
        return Task.CompletedTask;
    }

    [Fact]
    public async Task Objects_are_private_files_in_private_directories()
    {
        await PutAsync("secret/dir/object", [1]);

        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, ModeOf(Path.Join(Root, "secret/dir/object")));
        var directoryMode = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute;
        Assert.Equal(directoryMode, ModeOf(Path.Join(Root, "secret")));
        Assert.Equal(directoryMode, ModeOf(Path.Join(Root, "secret/dir")));
    }

    [Fact]
    public void Uploads_that_start_together_in_a_repository_without_its_temp_directory_all_make_it_and_succeed()
    {
        // Racing to make the temp directory, an upload can be told its new file was not found rather than its directory.
        for (var round = 0; round < 100; round++)
        {
            var root = Path.Join(_scratch, $"race-{round}");
            Directory.CreateDirectory(root);
            var store = new FileObjectStore(root);
            using var start = new Barrier(8);
            var failures = new System.Collections.Concurrent.ConcurrentQueue<Exception>();

            // Threads of their own: eight pool threads blocked at the barrier would wait for the pool to grow.
            var uploaders = Enumerable.Range(0, 8).Select(i => new Thread(() =>
            {
                try
                {
                    start.SignalAndWait(Ct);
                    UploadAsync(store, $"k{i}").GetAwaiter().GetResult();
                }
                catch (Exception e)
                {
                    failures.Enqueue(e);
                }
            })).ToList();
            uploaders.ForEach(thread => thread.Start());
            uploaders.ForEach(thread => thread.Join());

            Assert.Empty(failures);
            Assert.Equal(8, Directory.GetFiles(root).Length);
        }
    }

    private static async Task UploadAsync(FileObjectStore store, string key)
    {
        await using var upload = await store.CreateAsync(key, Ct);
        await upload.CompleteAsync(Ct);
    }

    [Fact]
    public async Task EnsureCreated_makes_the_root_private()
    {
        var store = new FileObjectStore(Path.Join(_scratch, "new", "repo"));

        await store.EnsureCreatedAsync(Ct);

        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute, ModeOf(store.RootDirectory));
    }

    [Fact]
    public async Task Uploads_in_progress_live_in_a_hidden_temp_directory_that_disposal_empties()
    {
        await using (var upload = await Store.CreateAsync("pending", Ct))
        {
            await upload.WriteAsync(new byte[] { 1, 2, 3 }, Ct);
            Assert.Single(Directory.GetFiles(Path.Join(Root, ".tmp")));
            Assert.Empty(await ListAsync(""));
        }

        Assert.Empty(Directory.GetFiles(Path.Join(Root, ".tmp")));
        Assert.False(File.Exists(Path.Join(Root, "pending")));
    }

    [Fact]
    public async Task A_completed_upload_leaves_no_temp_file()
    {
        await PutAsync("done", [1]);

        Assert.Empty(Directory.GetFiles(Path.Join(Root, ".tmp")));
    }

    [Theory]
    [InlineData(".tmp")]
    [InlineData(".tmp/x")]
    public async Task The_temp_directory_name_is_reserved(string key)
    {
        await Assert.ThrowsAsync<InvalidObjectKeyException>(() => Store.CreateAsync(key, Ct));
    }

    [Fact]
    public async Task Deleting_the_last_object_of_a_directory_removes_the_empty_directories()
    {
        await PutAsync("keep/x", [1]);
        await PutAsync("keep/deep/er/y", [2]);

        await Store.DeleteAsync("keep/deep/er/y", Ct);

        Assert.False(Directory.Exists(Path.Join(Root, "keep/deep")));
        Assert.True(File.Exists(Path.Join(Root, "keep/x")));
        Assert.True(Directory.Exists(Root));
    }

    [Fact]
    public async Task A_key_naming_a_directory_is_no_object()
    {
        await PutAsync("folder/inside", [1]);

        Assert.Null(await Store.StatAsync("folder", Ct));
        await Assert.ThrowsAsync<ObjectNotFoundException>(() => Store.OpenReadAsync("folder", null, Ct));
        await Store.DeleteAsync("folder", Ct);
        Assert.NotNull(await Store.StatAsync("folder/inside", Ct));
    }

    [Fact]
    public async Task A_key_under_an_existing_object_fails_with_a_message_naming_it()
    {
        await PutAsync("file", [1]);

        var error = await Assert.ThrowsAnyAsync<LifeboatException>(() => PutAsync("file/child", [2]));

        Assert.Contains("'file/child'", error.Message, StringComparison.Ordinal);
        Assert.Contains(Store.Location, error.Message, StringComparison.Ordinal);
    }

    private static UnixFileMode ModeOf(string path) => File.GetUnixFileMode(path);
}
