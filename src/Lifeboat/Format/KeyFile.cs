using System.Security.Cryptography;

namespace Lifeboat.Format;

/// <summary>Creates key files: 32 random bytes, readable only by their owner.</summary>
public static class KeyFile
{
    /// <summary>Bytes in a key file.</summary>
    public const int Size = 32;

    private const UnixFileMode OwnerReadWrite = UnixFileMode.UserRead | UnixFileMode.UserWrite;

    /// <summary>Writes a new key file with mode 0600 and flushes it to disk; refuses to replace an existing file.</summary>
    public static void Create(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        using var file = OpenNew(path);
        Span<byte> key = stackalloc byte[Size];
        RandomNumberGenerator.Fill(key);
        try
        {
            RestrictToOwner(file);
            file.Write(key);
            file.Flush(flushToDisk: true);
        }
        catch
        {
            // A partial key file would only fail later with a confusing size error.
            file.Dispose();
            File.Delete(path);
            throw;
        }
        finally
        {
            CryptographicOperations.ZeroMemory(key);
        }
    }

    private static FileStream OpenNew(string path)
    {
        var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write, Share = FileShare.None };
        if (!OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = OwnerReadWrite;
        }

        try
        {
            return new FileStream(path, options);
        }
        catch (IOException e) when (File.Exists(path) || Directory.Exists(path))
        {
            throw new LifeboatException(
                $"key file '{path}' already exists",
                "Lifeboat never overwrites a key file, as it may be the only key to existing backups; choose another path",
                FailureKind.Usage,
                e);
        }
        catch (DirectoryNotFoundException e)
        {
            throw new LifeboatException($"cannot create key file '{path}': its directory does not exist", "create the directory first", FailureKind.Usage, e);
        }
        catch (UnauthorizedAccessException e)
        {
            throw new LifeboatException($"cannot create key file '{path}': permission denied", "choose a directory the Lifeboat user may write to", FailureKind.Usage, e);
        }
    }

    /// <summary>Sets exactly 0600: the create mode passes through the umask, which may strip the owner's own bits.</summary>
    private static void RestrictToOwner(FileStream file)
    {
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(file.SafeFileHandle, OwnerReadWrite);
        }
    }
}
