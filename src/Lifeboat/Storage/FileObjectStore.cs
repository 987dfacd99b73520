using System.Runtime.CompilerServices;

namespace Lifeboat.Storage;

/// <summary>An object store in a local directory: one file per object, each written atomically and durably.</summary>
/// <remarks>
/// An upload goes to <c>&lt;root&gt;/.tmp/&lt;random&gt;</c>, is fsynced, renamed over its target and the target's
/// directory is fsynced: a crash leaves the old object or the new one, never a torn file. The first key
/// segment <c>.tmp</c> is therefore reserved. Files are created 0600 and directories 0700. Unlike S3, a key
/// cannot be both an object and a folder of other keys ("a" and "a/b"); repository names never need that.
/// </remarks>
public sealed class FileObjectStore : IObjectStore
{
    /// <summary>The root directory's subdirectory that holds uploads in progress.</summary>
    internal const string TempDirectoryName = ".tmp";

    private const int FileBufferSize = 64 * 1024;
    private const int PublishAttempts = 3;

    /// <summary>Opens the store rooted at <paramref name="rootDirectory"/> (relative paths are resolved now).</summary>
    public FileObjectStore(string rootDirectory)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(rootDirectory);
        RootDirectory = Path.TrimEndingDirectorySeparator(Path.GetFullPath(rootDirectory));
    }

    /// <summary>The absolute path of the root directory.</summary>
    public string RootDirectory { get; }

    /// <inheritdoc />
    public string Location => "file://" + RootDirectory;

    /// <inheritdoc />
    public Task EnsureCreatedAsync(CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        try
        {
            CreateDirectoryDurably(RootDirectory);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new LifeboatException($"cannot create repository directory '{RootDirectory}': {e.Message}", "check that this user may create directories there (or create it by hand, mode 0700)", inner: e);
        }

        return Task.CompletedTask;
    }

    /// <inheritdoc />
    public Task<ObjectUpload> CreateAsync(string key, CancellationToken cancellationToken)
    {
        ValidateKey(key);
        cancellationToken.ThrowIfCancellationRequested();
        var tempPath = NewTempPath();
        try
        {
            return Task.FromResult<ObjectUpload>(new FileObjectUpload(this, key, tempPath, OpenTempFile(tempPath)));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw Failure("write", key, e);
        }
    }

    /// <inheritdoc />
    /// <remarks>
    /// Written and fsynced as an upload is, then hard-linked to its name, which fails when the name exists (a rename
    /// would replace it; where hard links are unsupported, a no-replace rename takes their place); the target's
    /// directory is fsynced as for an upload, and the temp name removed.
    /// </remarks>
    public async Task<bool> TryCreateNewAsync(string key, ReadOnlyMemory<byte> content, CancellationToken cancellationToken)
    {
        ValidateKey(key);
        cancellationToken.ThrowIfCancellationRequested();
        var tempPath = NewTempPath();
        try
        {
            await using (var file = OpenTempFile(tempPath))
            {
                await file.WriteAsync(content, cancellationToken);
                await file.FlushAsync(cancellationToken);
                file.Flush(flushToDisk: true);
            }

            return PublishIfAbsent(tempPath, key);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw Failure("write", key, e);
        }
        finally
        {
            // Once linked, the temp name is a second name of the object's file: removing it leaves the object.
            DiscardTemp(tempPath);
        }
    }

    /// <inheritdoc />
    public Task<Stream> OpenReadAsync(string key, ByteRange? range, CancellationToken cancellationToken)
    {
        ValidateKey(key);
        ByteRangeCheck.ThrowIfInvalid(range, key);
        cancellationToken.ThrowIfCancellationRequested();
        FileStream file;
        try
        {
            file = new FileStream(PathOf(key), FileMode.Open, FileAccess.Read, FileShare.Read | FileShare.Delete, FileBufferSize, FileOptions.Asynchronous | FileOptions.SequentialScan);
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException || (e is UnauthorizedAccessException && Directory.Exists(PathOf(key))))
        {
            throw NotFound(key);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw Failure("read", key, e);
        }

        return Task.FromResult(Slice(file, range));
    }

    /// <inheritdoc />
    public async IAsyncEnumerable<ObjectInfo> ListAsync(string prefix, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        ObjectKey.ValidatePrefix(prefix);
        cancellationToken.ThrowIfCancellationRequested();
        ThrowIfRootMissing();
        // Directory reads block; don't hold the caller's thread while the first one runs.
        await Task.Yield();
        foreach (var info in FileTreeListing.List(RootDirectory, prefix, cancellationToken))
            yield return info;
    }

    /// <inheritdoc />
    public Task<ObjectInfo?> StatAsync(string key, CancellationToken cancellationToken)
    {
        ValidateKey(key);
        cancellationToken.ThrowIfCancellationRequested();
        var file = new FileInfo(PathOf(key));
        if (file.Exists)
            return Task.FromResult<ObjectInfo?>(new ObjectInfo(key, file.Length, new DateTimeOffset(file.LastWriteTimeUtc, TimeSpan.Zero)));
        ThrowIfRootMissing();
        return Task.FromResult<ObjectInfo?>(null);
    }

    /// <inheritdoc />
    public Task DeleteAsync(string key, CancellationToken cancellationToken)
    {
        ValidateKey(key);
        cancellationToken.ThrowIfCancellationRequested();
        var path = PathOf(key);
        try
        {
            File.Delete(path);
        }
        catch (DirectoryNotFoundException)
        {
            ThrowIfRootMissing();
            return Task.CompletedTask;
        }
        catch (UnauthorizedAccessException) when (Directory.Exists(path))
        {
            // A directory is not an object, so no object has this key.
            return Task.CompletedTask;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw Failure("delete", key, e);
        }

        RemoveEmptyParents(path);
        return Task.CompletedTask;
    }

    /// <inheritdoc />
    public Task<int> RemoveAbandonedUploadsAsync(TimeSpan idleFor, CancellationToken cancellationToken)
    {
        var removed = 0;
        try
        {
            foreach (var temp in AbandonedTempFiles(idleFor, cancellationToken))
            {
                temp.Delete();
                removed++;
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new LifeboatException($"cannot remove abandoned uploads in {Location}: {e.Message}", "check that the repository directory is writable by this user", inner: e);
        }

        return Task.FromResult(removed);
    }

    /// <inheritdoc />
    public Task<AbandonedUploads> FindAbandonedUploadsAsync(TimeSpan idleFor, CancellationToken cancellationToken)
    {
        try
        {
            var files = AbandonedTempFiles(idleFor, cancellationToken).ToList();
            return Task.FromResult(new AbandonedUploads(files.Count, files.Sum(f => f.Length), Path.Join(RootDirectory, TempDirectoryName)));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new LifeboatException($"cannot look for abandoned uploads in {Location}: {e.Message}", "check that the repository directory is readable by this user", inner: e);
        }
    }

    // A live upload writes to its temp file, so an old modification time means nobody will finish it.
    private IEnumerable<FileInfo> AbandonedTempFiles(TimeSpan idleFor, CancellationToken cancellationToken)
    {
        var cutoff = DateTime.UtcNow - idleFor;
        var temp = new DirectoryInfo(Path.Join(RootDirectory, TempDirectoryName));
        // No upload ever ran here.
        if (!temp.Exists)
            yield break;
        foreach (var file in temp.EnumerateFiles())
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (file.LastWriteTimeUtc <= cutoff)
                yield return file;
        }
    }

    /// <inheritdoc />
    public ValueTask DisposeAsync() => ValueTask.CompletedTask;

    /// <summary>Moves a finished, fsynced temp file over the object's file and makes the rename durable.</summary>
    internal void Publish(string tempPath, string key)
    {
        var target = PathOf(key);
        var directory = Path.GetDirectoryName(target)!;
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                CreateDirectoryDurably(directory);
                File.Move(tempPath, target, overwrite: true);
                DirectorySync.Flush(directory);
                return;
            }
            catch (Exception e) when (e is DirectoryNotFoundException or FileNotFoundException && attempt < PublishAttempts && File.Exists(tempPath))
            {
                // A concurrent delete removed the directory as empty between our mkdir and rename (reported as the temp
                // file not found when another upload recreated the directory before .NET looked).
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                throw Failure("write", key, e);
            }
        }
    }

    /// <summary>Links a finished, fsynced temp file to the object's name unless that name exists, durably; false when it did.</summary>
    private bool PublishIfAbsent(string tempPath, string key)
    {
        var target = PathOf(key);
        var directory = Path.GetDirectoryName(target)!;
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                CreateDirectoryDurably(directory);
                if (!ExclusiveLink.TryCreate(tempPath, target))
                    return false;
                DirectorySync.Flush(directory);
                return true;
            }
            catch (DirectoryNotFoundException) when (attempt < PublishAttempts)
            {
                // A concurrent delete removed the directory as empty between our mkdir and link.
            }
            catch (NotSupportedException e)
            {
                throw new LifeboatException(
                    $"cannot write object '{key}' in {Location}: the file system of repository directory '{RootDirectory}' supports neither hard links nor no-replace renames, which writing an object only if it is absent needs",
                    "put the repository on a local file system (ext4, xfs, btrfs) or NFS, or in an S3 bucket",
                    inner: e);
            }
        }
    }

    private static void DiscardTemp(string tempPath)
    {
        try
        {
            File.Delete(tempPath);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // A leftover temp file is invisible garbage that prune removes; failing for it would mask the outcome.
        }
    }

    private string NewTempPath() => Path.Join(RootDirectory, TempDirectoryName, Guid.NewGuid().ToString("N"));

    private FileStream OpenTempFile(string tempPath)
    {
        try
        {
            return new FileStream(tempPath, PrivateFiles.NewFileOptions(FileBufferSize));
        }
        catch (Exception e) when (e is DirectoryNotFoundException or FileNotFoundException)
        {
            // A new file is not found only when its directory is not. .NET names the directory only if it is still
            // missing when it builds the exception, so an upload that created it meanwhile turns ours into "file not found".
            // The root must exist already (as a bucket must); only the temp directory is made on demand.
            ThrowIfRootMissing();
            PrivateFiles.CreateDirectory(Path.GetDirectoryName(tempPath)!);
            return new FileStream(tempPath, PrivateFiles.NewFileOptions(FileBufferSize));
        }
    }

    private static void CreateDirectoryDurably(string directory)
    {
        if (Directory.Exists(directory))
            return;
        var parent = Path.GetDirectoryName(directory)!;
        CreateDirectoryDurably(parent);
        PrivateFiles.CreateDirectory(directory);
        DirectorySync.Flush(parent);
    }

    private void RemoveEmptyParents(string path)
    {
        // Prune leaves whole backup folders empty; removing them keeps listings from walking dead branches.
        for (var directory = Path.GetDirectoryName(path)!; directory.Length > RootDirectory.Length; directory = Path.GetDirectoryName(directory)!)
        {
            try
            {
                Directory.Delete(directory, recursive: false);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                return;
            }
        }
    }

    private static Stream Slice(FileStream file, ByteRange? range)
    {
        if (range is not { } r)
            return file;
        file.Seek(Math.Min(r.Offset, file.Length), SeekOrigin.Begin);
        return r.Length is { } length ? new LengthLimitedStream(file, length) : file;
    }

    private string PathOf(string key) => Path.Join(RootDirectory, key);

    private static void ValidateKey(string key)
    {
        ObjectKey.Validate(key);
        if (key == TempDirectoryName || key.StartsWith(TempDirectoryName + "/", StringComparison.Ordinal))
            throw new InvalidObjectKeyException(key, $"'{TempDirectoryName}/' is reserved for uploads in progress in a file repository");
    }

    private void ThrowIfRootMissing()
    {
        if (Directory.Exists(RootDirectory))
            return;
        if (File.Exists(RootDirectory))
            throw new LifeboatException($"repository path '{RootDirectory}' is a file, not a repository directory", kind: FailureKind.Usage) { Remedy = new(RemedyAction.CreateRepository) };
        throw new LifeboatException($"repository directory '{RootDirectory}' does not exist", kind: FailureKind.Usage) { Remedy = new(RemedyAction.CreateRepository) };
    }

    private ObjectNotFoundException NotFound(string key)
    {
        ThrowIfRootMissing();
        return new ObjectNotFoundException(key, Location);
    }

    private LifeboatException Failure(string action, string key, Exception e)
    {
        ThrowIfRootMissing();
        return new LifeboatException($"cannot {action} object '{key}' in {Location}: {e.Message}", "check that the repository directory is writable by this user and the disk has free space", inner: e);
    }
}
