namespace Lifeboat.Storage;

/// <summary>
/// Walks a file store's directory tree in key order, holding one directory's entries at a time.
/// A directory "a" sorts as "a/" among its siblings, which puts its keys exactly where S3 would list them.
/// </summary>
internal static class FileTreeListing
{
    /// <summary>The objects under <paramref name="root"/> whose keys start with <paramref name="prefix"/>.</summary>
    public static IEnumerable<ObjectInfo> List(string root, string prefix, CancellationToken cancellationToken)
    {
        // Only the whole segments of the prefix name a directory; the rest filters that directory's entries.
        var startDirectoryKey = prefix[..(prefix.LastIndexOf('/') + 1)];
        return Walk(root, startDirectoryKey, prefix, cancellationToken);
    }

    private static IEnumerable<ObjectInfo> Walk(string root, string directoryKey, string prefix, CancellationToken cancellationToken)
    {
        foreach (var (key, entry) in SortedEntries(root, directoryKey))
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (entry is FileInfo file)
            {
                if (key.StartsWith(prefix, StringComparison.Ordinal))
                    yield return new ObjectInfo(key, file.Length, new DateTimeOffset(file.LastWriteTimeUtc, TimeSpan.Zero));
                continue;
            }

            if (!key.StartsWith(prefix, StringComparison.Ordinal) && !prefix.StartsWith(key, StringComparison.Ordinal))
                continue;
            foreach (var info in Walk(root, key, prefix, cancellationToken))
                yield return info;
        }
    }

    /// <summary>One directory's entries as (key, entry), directories' keys ending in '/', in key order.</summary>
    private static List<(string Key, FileSystemInfo Entry)> SortedEntries(string root, string directoryKey)
    {
        var directory = new DirectoryInfo(Path.Join(root, directoryKey));
        var entries = new List<(string Key, FileSystemInfo Entry)>();
        try
        {
            foreach (var entry in directory.EnumerateFileSystemInfos())
            {
                if (IsHidden(directoryKey, entry))
                    continue;
                var isDirectory = entry is DirectoryInfo;
                entries.Add((directoryKey + entry.Name + (isDirectory ? "/" : ""), entry));
            }
        }
        catch (DirectoryNotFoundException)
        {
            // Deleted while we walked, or never there: it holds no objects.
            return [];
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new LifeboatException(
                $"cannot list directory '{directory.FullName}' of the file repository: {e.Message}",
                "check that the user running lifeboat owns the repository directory", inner: e);
        }

        entries.Sort((a, b) => ObjectKeyComparer.Instance.Compare(a.Key, b.Key));
        return entries;
    }

    // Uploads in progress live in the root's temp directory; links are never part of a repository
    // and following one could loop.
    private static bool IsHidden(string directoryKey, FileSystemInfo entry) =>
        (directoryKey.Length == 0 && entry.Name == FileObjectStore.TempDirectoryName)
        || entry.Attributes.HasFlag(FileAttributes.ReparsePoint);
}
