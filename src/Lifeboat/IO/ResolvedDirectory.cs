using Microsoft.Win32.SafeHandles;

namespace Lifeboat.IO;

/// <summary>A directory opened by <see cref="PathWalk"/> to work relative to (O_PATH), and the path it was reached by, every link in it resolved.</summary>
internal sealed class ResolvedDirectory(SafeFileHandle handle, string path) : IDisposable
{
    /// <summary>The open directory, for the *at calls.</summary>
    public SafeFileHandle Handle { get; } = handle;

    /// <summary>Where it is: the path from '/' without a symbolic link.</summary>
    public string Path { get; } = path;

    /// <inheritdoc/>
    public void Dispose() => Handle.Dispose();
}
