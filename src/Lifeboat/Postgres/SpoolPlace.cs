using System.Globalization;

namespace Lifeboat.Postgres;

/// <summary>
/// Where a parallel restore spools when --spool-dir is not given: in memory (/dev/shm) when the archive fits
/// there with room to spare, else the temp directory. Writing 1.6 GB into a disk file's page cache took
/// 4 CPU s of kernel time here, against 2 s into tmpfs, and the tables' files are deleted as they are loaded.
/// </summary>
internal static class SpoolPlace
{
    /// <summary>The in-memory file system Linux and Kubernetes pods mount (a pod's is 64 MB unless set otherwise).</summary>
    public const string SharedMemory = "/dev/shm";

    // tmpfs pages cannot be reclaimed, so memory must stay plentiful with the whole archive in it.
    private const int MemoryMargin = 4;
    private const int SpaceMargin = 2;

    /// <summary>The directory to spool an archive of <paramref name="archiveBytes"/> in.</summary>
    public static string Choose(long archiveBytes) =>
        FitsInMemory(archiveBytes, SharedMemoryFree(), MemoryAvailable(), CgroupRoom()) ? SharedMemory : Path.GetTempPath();

    /// <summary>
    /// The rule itself: /dev/shm must hold the archive twice over, and both the machine and the process's
    /// memory cgroup must have four times the archive free (null: no cgroup limit).
    /// </summary>
    public static bool FitsInMemory(long archiveBytes, long? sharedMemoryFree, long? memoryAvailable, long? cgroupRoom) =>
        sharedMemoryFree >= SpaceMargin * archiveBytes
        && memoryAvailable >= MemoryMargin * archiveBytes
        && (cgroupRoom is null || cgroupRoom >= MemoryMargin * archiveBytes);

    private static long? SharedMemoryFree()
    {
        try
        {
            var drive = new DriveInfo(SharedMemory);
            return drive.DriveFormat == "tmpfs" ? drive.AvailableFreeSpace : null;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException)
        {
            return null;
        }
    }

    private static long? MemoryAvailable()
    {
        foreach (var line in ReadLines("/proc/meminfo"))
        {
            if (!line.StartsWith("MemAvailable:", StringComparison.Ordinal))
                continue;
            var kibibytes = line["MemAvailable:".Length..].Trim().Split(' ')[0];
            return long.TryParse(kibibytes, CultureInfo.InvariantCulture, out var value) ? value * 1024 : null;
        }

        return null;
    }

    // The least room (limit less usage) on the way from this process's own memory cgroup (/proc/self/cgroup)
    // up to the root, in cgroup v2 ("0::/path", memory.max) or v1 ("N:memory:/path", memory.limit_in_bytes);
    // a systemd service's MemoryMax or a pod's limit sits below the root. Null where no level sets a limit.
    private static long? CgroupRoom()
    {
        long? least = null;
        foreach (var line in ReadLines("/proc/self/cgroup"))
        {
            var fields = line.Split(':', 3);
            if (fields.Length < 3)
                continue;
            var (root, limitFile, usageFile) = fields[1] switch
            {
                "" => ("/sys/fs/cgroup", "memory.max", "memory.current"),
                "memory" => ("/sys/fs/cgroup/memory", "memory.limit_in_bytes", "memory.usage_in_bytes"),
                _ => ("", "", ""),
            };
            if (root.Length == 0)
                continue;
            for (var path = fields[2].TrimEnd('/'); ; path = path[..path.LastIndexOf('/')])
            {
                var room = RoomAt(root + path, limitFile, usageFile);
                if (room is not null)
                    least = Math.Min(least ?? long.MaxValue, room.Value);
                if (path.Length == 0)
                    break;
            }
        }

        return least;
    }

    private static long? RoomAt(string directory, string limitFile, string usageFile)
    {
        var limit = ReadLines(Path.Combine(directory, limitFile)).FirstOrDefault();
        if (limit is null or "max")
            return null;
        var current = ReadLines(Path.Combine(directory, usageFile)).FirstOrDefault();
        if (!long.TryParse(limit, CultureInfo.InvariantCulture, out var max) || !long.TryParse(current, CultureInfo.InvariantCulture, out var used))
            return 0;
        return max - used;
    }

    private static IEnumerable<string> ReadLines(string path)
    {
        try
        {
            return File.ReadAllLines(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return [];
        }
    }
}
