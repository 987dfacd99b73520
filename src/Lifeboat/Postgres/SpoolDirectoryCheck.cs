using System.Runtime.InteropServices;

namespace Lifeboat.Postgres;

/// <summary>
/// Whether a parallel restore can spool in a directory: this user must be able to create files there, or create the
/// directory in its nearest existing parent (the restore creates it, as it always did). Asked before the staging
/// database is created, so a restore that would fail at its first spooled table refuses with nothing to clean up, and
/// a dry run says the same. Free space is not a refusal: tables are deleted as they load, so the spool rarely holds
/// the whole archive ('doctor' warns when it could not).
/// </summary>
internal static partial class SpoolDirectoryCheck
{
    private const int WriteAndSearch = 2 | 1; // W_OK | X_OK

    /// <summary>Why a restore cannot spool in <paramref name="directory"/>; null when it can.</summary>
    public static LifeboatException? Refusal(string directory)
    {
        var trimmed = Path.TrimEndingDirectorySeparator(Path.GetFullPath(directory));
        var existing = NearestExisting(trimmed);
        return Refusal(trimmed, existing, existing is not null && MayWrite(existing));
    }

    /// <summary>The rule itself, on what was found: the directory or its nearest existing parent, and whether this user may write there.</summary>
    public static LifeboatException? Refusal(string directory, string? nearestExisting, bool writable)
    {
        if (nearestExisting is not null && writable)
            return null;
        var why = nearestExisting == directory
            ? $"the spool directory {directory} of a parallel restore is not writable by this user; nothing was changed"
            : $"the spool directory {directory} of a parallel restore cannot be created: {nearestExisting ?? "no parent of it"} is not writable by this user; nothing was changed";
        return new LifeboatException(why, "let this user write there, or spool in another directory") { Remedy = new(RemedyAction.ChooseSpoolDirectory) };
    }

    private static string? NearestExisting(string directory)
    {
        for (var candidate = directory; candidate is not null; candidate = Path.GetDirectoryName(candidate))
        {
            if (Directory.Exists(candidate))
                return candidate;
        }

        return null;
    }

    // access(2) answers for this process's credentials, as creating the spool will; a probe file would be a write,
    // which a dry run must not make.
    private static bool MayWrite(string directory) => Access(directory, WriteAndSearch) == 0;

    [LibraryImport("libc", EntryPoint = "access", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
    private static partial int Access(string path, int mode);
}
