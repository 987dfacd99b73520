using System.Formats.Tar;
using System.Text;

namespace Lifeboat.Tests.IO;

/// <summary>A tar archive in memory, entry by entry, as a test needs it (tampered ones included).</summary>
internal sealed class TarBuilder
{
    private readonly List<PaxTarEntry> _entries = [];

    public TarBuilder Directory(string name)
    {
        _entries.Add(new PaxTarEntry(TarEntryType.Directory, name));
        return this;
    }

    public TarBuilder File(string name, string content, UnixFileMode mode = UnixFileMode.UserRead | UnixFileMode.UserWrite)
    {
        _entries.Add(new PaxTarEntry(TarEntryType.RegularFile, name) { DataStream = new MemoryStream(Encoding.UTF8.GetBytes(content)), Mode = mode });
        return this;
    }

    public TarBuilder Link(string name, string target) => Entry(TarEntryType.SymbolicLink, name, target);

    public TarBuilder Entry(TarEntryType type, string name, string linkName = "")
    {
        var entry = new PaxTarEntry(type, name);
        if (linkName.Length > 0)
            entry.LinkName = linkName;
        _entries.Add(entry);
        return this;
    }

    public MemoryStream Build()
    {
        var stream = new MemoryStream();
        using (var writer = new TarWriter(stream, TarEntryFormat.Pax, leaveOpen: true))
        {
            foreach (var entry in _entries)
                writer.WriteEntry(entry);
        }

        stream.Position = 0;
        return stream;
    }
}
