using System.Globalization;
using Lifeboat.Storage;

namespace Lifeboat.Buckets.Index;

/// <summary>
/// A run's private scratch folder (0700) for drafts, outcomes and sorted runs: keys and metadata, never content. It is
/// deleted when disposed; folders a killed run left behind are removed by the next one once they are a day old.
/// </summary>
public sealed class SpillDirectory : IDisposable
{
    private const string Prefix = "lifeboat-spill-";
    private static readonly TimeSpan StaleAfter = TimeSpan.FromHours(24);
    private int _files;

    private SpillDirectory(string path) => Path = path;

    /// <summary>The folder.</summary>
    public string Path { get; }

    /// <summary>Creates a new spill folder under <paramref name="parent"/> after removing stale ones there.</summary>
    public static SpillDirectory Create(string parent, DateTimeOffset now)
    {
        PrivateFiles.CreateDirectory(parent);
        RemoveStale(parent, now);
        var name = Prefix + now.UtcDateTime.ToString("yyyyMMdd'T'HHmmss", CultureInfo.InvariantCulture) + "-" + Guid.NewGuid().ToString("N")[..8];
        var path = System.IO.Path.Combine(parent, name);
        PrivateFiles.CreateDirectory(path);
        return new SpillDirectory(path);
    }

    /// <summary>A new, unused file path in the folder; <paramref name="purpose"/> makes it readable in a listing.</summary>
    public string NewFile(string purpose) => System.IO.Path.Combine(Path, $"{Interlocked.Increment(ref _files):D6}-{purpose}");

    /// <summary>Opens a new private file for writing.</summary>
    public static FileStream CreateFile(string path) => new(path, PrivateFiles.NewFileOptions(64 * 1024));

    /// <summary>Opens a spill file for sequential reading.</summary>
    public static FileStream OpenFile(string path) =>
        new(path, FileMode.Open, FileAccess.Read, FileShare.Read, 64 * 1024, FileOptions.Asynchronous | FileOptions.SequentialScan);

    private static void RemoveStale(string parent, DateTimeOffset now)
    {
        foreach (var folder in Directory.EnumerateDirectories(parent, Prefix + "*"))
        {
            if (now.UtcDateTime - Directory.GetLastWriteTimeUtc(folder) < StaleAfter)
                continue;
            try
            {
                Directory.Delete(folder, recursive: true);
            }
            catch (IOException)
            {
                // Another process may be removing it too; the next run tries again.
            }
        }
    }

    /// <inheritdoc />
    public void Dispose()
    {
        try
        {
            Directory.Delete(Path, recursive: true);
        }
        catch (DirectoryNotFoundException)
        {
            // Already gone.
        }
    }
}
