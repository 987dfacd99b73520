namespace Lifeboat.Storage;

/// <summary>Creates files and directories only their owner can read (0600/0700): backups are sensitive.</summary>
internal static class PrivateFiles
{
    private const UnixFileMode DirectoryPermissions = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute;
    private const UnixFileMode FilePermissions = UnixFileMode.UserRead | UnixFileMode.UserWrite;

    /// <summary>Creates <paramref name="path"/> (and missing parents) with mode 0700.</summary>
    public static void CreateDirectory(string path) => Directory.CreateDirectory(path, DirectoryPermissions);

    /// <summary>Options for a new file, mode 0600, that only this process may open while it is written.</summary>
    public static FileStreamOptions NewFileOptions(int bufferSize) => new()
    {
        Mode = FileMode.CreateNew,
        Access = FileAccess.Write,
        Share = FileShare.None,
        Options = FileOptions.Asynchronous,
        BufferSize = bufferSize,
        UnixCreateMode = FilePermissions,
    };
}
