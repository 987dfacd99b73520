using System.Runtime.InteropServices;

namespace Lifeboat.Postgres;

/// <summary>
/// Whether a parallel restore can spool its archive in a directory: it must exist, this user must be able to create
/// files in it, and it must have room for the archive. Asked before the staging database is created, so a restore
/// that would fail at its first spooled table refuses with nothing to clean up, and a dry run says the same.
/// </summary>
internal static partial class SpoolDirectoryCheck
{
    private const int WriteAndSearch = 2 | 1; // W_OK | X_OK

    /// <summary>Why a restore cannot spool an archive of <paramref name="archiveBytes"/> in <paramref name="directory"/>; null when it can.</summary>
    public static LifeboatException? Refusal(string directory, long archiveBytes)
    {
        var exists = Directory.Exists(directory);
        return Refusal(Path.TrimEndingDirectorySeparator(directory), exists, exists && MayWrite(directory), exists ? FreeBytes(directory) : null, archiveBytes);
    }

    /// <summary>The rule itself, on what was found: <paramref name="freeBytes"/> null when it could not be told.</summary>
    public static LifeboatException? Refusal(string directory, bool exists, bool writable, long? freeBytes, long archiveBytes)
    {
        if (!exists)
        {
            return new LifeboatException(
                $"the spool directory {directory} of a parallel restore does not exist; nothing was changed",
                "create it, or spool in another directory")
            { Remedy = new(RemedyAction.ChooseSpoolDirectory) };
        }

        if (!writable)
        {
            return new LifeboatException(
                $"the spool directory {directory} of a parallel restore is not writable by this user; nothing was changed",
                "let this user write there, or spool in another directory")
            { Remedy = new(RemedyAction.ChooseSpoolDirectory) };
        }

        if (freeBytes is { } free && free < archiveBytes)
        {
            return new LifeboatException(
                $"only {ByteCount.Format(free)} free in the spool directory {directory}, less than the {ByteCount.Format(archiveBytes)} archive a parallel restore may spool there; nothing was changed",
                "free space there, or restore with one job, which spools nothing")
            { Remedy = new(RemedyAction.SpoolElsewhere) };
        }

        return null;
    }

    // access(2) answers for this process's credentials, as creating the spool will; a probe file would be a write,
    // which a dry run must not make.
    private static bool MayWrite(string directory) => Access(directory, WriteAndSearch) == 0;

    private static long? FreeBytes(string directory)
    {
        try
        {
            return new DriveInfo(directory).AvailableFreeSpace;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException)
        {
            return null;
        }
    }

    [LibraryImport("libc", EntryPoint = "access", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
    private static partial int Access(string path, int mode);
}
