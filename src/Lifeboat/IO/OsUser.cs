using System.Runtime.InteropServices;

namespace Lifeboat.IO;

/// <summary>An operating-system account, as the password database (getpwnam, getpwuid) knows it.</summary>
/// <param name="Name">Its login name.</param>
/// <param name="Uid">Its user id.</param>
/// <param name="Gid">Its primary group's id, which the files given to it get too.</param>
public sealed partial record OsUser(string Name, uint Uid, uint Gid)
{
    // struct passwd on 64-bit Linux (glibc and musl alike): pw_name, pw_passwd (pointers), then pw_uid and pw_gid.
    private const int UidOffset = 16;
    private const int GidOffset = 20;

    /// <summary>True when this process may give files to other users (it runs as root).</summary>
    public static bool CanGiveFilesAway => Environment.IsPrivilegedProcess;

    /// <summary>The account named <paramref name="name"/>, or null when there is none.</summary>
    public static OsUser? Find(string name) => Of(GetPwNam(name));

    /// <summary>The account with user id <paramref name="uid"/>, or null when there is none.</summary>
    public static OsUser? Find(uint uid) => Of(GetPwUid(uid));

    /// <summary>The account this process runs as.</summary>
    public static OsUser Current
    {
        get
        {
            var uid = GetEUid();
            return Find(uid) ?? new OsUser(uid.ToString(System.Globalization.CultureInfo.InvariantCulture), uid, GetEGid());
        }
    }

    /// <summary>True for the superuser.</summary>
    public bool IsRoot => Uid == 0;

    private static OsUser? Of(IntPtr entry)
    {
        if (entry == IntPtr.Zero)
            return null;
        var name = Marshal.PtrToStringUTF8(Marshal.ReadIntPtr(entry));
        return name is null ? null : new OsUser(name, (uint)Marshal.ReadInt32(entry, UidOffset), (uint)Marshal.ReadInt32(entry, GidOffset));
    }

    // The static buffers of getpwnam/getpwuid are read at once, before any other lookup; Lifeboat looks users up
    // from one thread, before it writes anything.
    [LibraryImport("libc", EntryPoint = "getpwnam", StringMarshalling = StringMarshalling.Utf8)]
    [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
    private static partial IntPtr GetPwNam(string name);

    [LibraryImport("libc", EntryPoint = "getpwuid")]
    [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
    private static partial IntPtr GetPwUid(uint uid);

    [LibraryImport("libc", EntryPoint = "geteuid")]
    [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
    private static partial uint GetEUid();

    [LibraryImport("libc", EntryPoint = "getegid")]
    [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
    private static partial uint GetEGid();
}
