using System.Globalization;

namespace Lifeboat.Postgres.Wal;

/// <summary>
/// Which bytes a verdict of the background pusher is about: the file's size and modification time when it was pushed.
/// A verdict left over from an earlier file of the same name (a data directory restored in place, a server rebuilt)
/// no longer matches, so it never answers for a file that was not pushed.
/// </summary>
/// <param name="Size">The file's length in bytes.</param>
/// <param name="WrittenTicks">Its last write time, in UTC ticks.</param>
public sealed record WalFileStamp(long Size, long WrittenTicks)
{
    /// <summary>The stamp of the file at <paramref name="path"/>, or null when there is no such file.</summary>
    public static WalFileStamp? Of(string path)
    {
        var info = new FileInfo(path);
        return info.Exists ? new WalFileStamp(info.Length, info.LastWriteTimeUtc.Ticks) : null;
    }

    /// <summary>Reads a stamp as <see cref="ToString"/> writes it; null for anything else.</summary>
    public static WalFileStamp? TryParse(string text)
    {
        var parts = text.Split(' ');
        return parts.Length == 2
            && long.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out var size)
            && long.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out var ticks)
            ? new WalFileStamp(size, ticks)
            : null;
    }

    /// <inheritdoc />
    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"{Size} {WrittenTicks}");
}
