using System.Formats.Tar;

namespace Lifeboat.IO;

/// <summary>
/// Unpacks a tar archive into one directory and nowhere else. An entry naming a path outside it, or reaching its place
/// through a symbolic link (one the archive made earlier, or one already there), is refused, and so are hard links and
/// device entries: a tampered archive could otherwise write, or expose, files elsewhere on the host. Directories are
/// made for the owner alone and files keep only their owner's rights; they stay this process's (who gets them is the
/// caller's business, once everything is unpacked).
/// </summary>
internal sealed class ConfinedTarExtractor
{
    private const UnixFileMode OwnerOnly = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute;

    private readonly string _root;
    private readonly string _rootPrefix;
    private readonly string _archiveName;
    private readonly Func<string, string, string> _linkTarget;
    private readonly HashSet<string> _realDirectories = new(StringComparer.Ordinal);

    /// <param name="directory">Where the archive unpacks; it must exist.</param>
    /// <param name="archiveName">The archive's name, for errors.</param>
    /// <param name="linkTarget">
    /// What a symbolic link entry (its name, and the target it records) points to; it may refuse the link by throwing.
    /// By default, the recorded target.
    /// </param>
    public ConfinedTarExtractor(string directory, string archiveName, Func<string, string, string>? linkTarget = null)
    {
        _root = Path.TrimEndingDirectorySeparator(Path.GetFullPath(directory));
        _rootPrefix = _root.EndsWith(Path.DirectorySeparatorChar) ? _root : _root + Path.DirectorySeparatorChar;
        _archiveName = archiveName;
        _linkTarget = linkTarget ?? ((_, recorded) => recorded);
    }

    /// <summary>Unpacks every entry of <paramref name="archive"/>, stopping at the first one refused.</summary>
    public async Task ExtractAsync(Stream archive, CancellationToken cancellationToken)
    {
        await using var tar = new TarReader(archive, leaveOpen: true);
        while (await tar.GetNextEntryAsync(copyData: false, cancellationToken) is { } entry)
            await ExtractAsync(entry, cancellationToken);
    }

    private async Task ExtractAsync(TarEntry entry, CancellationToken cancellationToken)
    {
        switch (entry.EntryType)
        {
            case TarEntryType.GlobalExtendedAttributes:
                return; // settings for the entries after it, not a file
            case TarEntryType.Directory:
                if (PathOf(entry) is { } directory)
                    EnsureRealDirectory(directory, entry);
                return;
            case TarEntryType.RegularFile or TarEntryType.V7RegularFile:
                await WriteFileAsync(entry, cancellationToken);
                return;
            case TarEntryType.SymbolicLink:
                CreateLink(entry);
                return;
            case TarEntryType.HardLink:
                throw Refused(entry, $"a hard link to '{entry.LinkName}', which could make a file outside the directory part of it");
            case TarEntryType.CharacterDevice or TarEntryType.BlockDevice or TarEntryType.Fifo:
                throw Refused(entry, "a device or FIFO, which a data directory never holds");
            default:
                throw Refused(entry, $"an entry of type {entry.EntryType}, which is not a directory, a file or a symbolic link");
        }
    }

    private async Task WriteFileAsync(TarEntry entry, CancellationToken cancellationToken)
    {
        var path = PathOf(entry) ?? throw Refused(entry, "a file in place of the directory itself");
        EnsureRealDirectory(Path.GetDirectoryName(path)!, entry);
        var options = new FileStreamOptions
        {
            // CreateNew is O_EXCL, which never follows a symbolic link already at the path.
            Mode = FileMode.CreateNew,
            Access = FileAccess.Write,
            Share = FileShare.None,
            BufferSize = 1 << 16,
            Options = FileOptions.Asynchronous,
            UnixCreateMode = (entry.Mode & OwnerOnly) | UnixFileMode.UserRead | UnixFileMode.UserWrite,
        };
        await using (var file = new FileStream(path, options))
        {
            if (entry.DataStream is { } data)
                await data.CopyToAsync(file, cancellationToken);
        }
    }

    private void CreateLink(TarEntry entry)
    {
        var path = PathOf(entry) ?? throw Refused(entry, "a symbolic link in place of the directory itself");
        EnsureRealDirectory(Path.GetDirectoryName(path)!, entry);
        File.CreateSymbolicLink(path, _linkTarget(entry.Name.TrimEnd('/'), entry.LinkName));
    }

    /// <summary>The entry's full path, or null for the directory itself; a path outside it is refused.</summary>
    private string? PathOf(TarEntry entry)
    {
        var name = entry.Name.TrimEnd('/');
        if (name is "" or ".")
            return null;
        var path = Path.GetFullPath(Path.Combine(_root, name));
        if (path == _root)
            return null;
        return path.StartsWith(_rootPrefix, StringComparison.Ordinal) ? path : throw Refused(entry, "a path outside the directory it restores into");
    }

    /// <summary>
    /// Makes sure <paramref name="directory"/> and every directory between it and the root are real directories, not
    /// symbolic links, creating those missing. Each is looked at once: later entries trust what was checked or made.
    /// </summary>
    private void EnsureRealDirectory(string directory, TarEntry entry)
    {
        if (directory == _root || _realDirectories.Contains(directory))
            return;
        EnsureRealDirectory(Path.GetDirectoryName(directory)!, entry);
        var info = new DirectoryInfo(directory);
        if (info.LinkTarget is not null)
            throw Refused(entry, $"a path through the symbolic link '{Path.GetRelativePath(_root, directory)}', which could lead outside the directory");
        if (!info.Exists)
        {
            Directory.CreateDirectory(directory, OwnerOnly);
        }

        _realDirectories.Add(directory);
    }

    private LifeboatException Refused(TarEntry entry, string what) => new(
        $"the archive {_archiveName} holds '{entry.Name}', {what}; it was refused and nothing more was unpacked",
        "the backup is damaged or was tampered with: restore from another backup");
}
