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
    /// cgroup must have four times the archive free (null: no cgroup limit).
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

    // cgroup v2: memory.max ("max" when unlimited) less memory.current. Unreadable where there is no limit to read.
    private static long? CgroupRoom()
    {
        var limit = ReadLines("/sys/fs/cgroup/memory.max").FirstOrDefault();
        var current = ReadLines("/sys/fs/cgroup/memory.current").FirstOrDefault();
        if (limit is null or "max" || current is null)
            return null;
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
