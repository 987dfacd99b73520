using System.Globalization;

namespace Lifeboat.Redis;

/// <summary>
/// Redis 7's multi-part append-only directory with an RDB as its only part (aof.c): the base file
/// "&lt;appendfilename&gt;.1.base.rdb" and the manifest "&lt;appendfilename&gt;.manifest" naming it, so a server with
/// appendonly yes loads the RDB instead of starting empty (which it does when it finds a dump.rdb and no AOF).
/// </summary>
public static class AofLayout
{
    /// <summary>Redis's default appendfilename.</summary>
    public const string DefaultAppendFileName = "appendonly.aof";

    /// <summary>Redis's default appenddirname, inside its dir.</summary>
    public const string DefaultDirectoryName = "appendonlydir";

    /// <summary>The base file's name: the first base, in RDB form.</summary>
    public static string BaseFileName(string appendFileName = DefaultAppendFileName) => $"{appendFileName}.1.base.rdb";

    /// <summary>The manifest's name.</summary>
    public static string ManifestFileName(string appendFileName = DefaultAppendFileName) => $"{appendFileName}.manifest";

    /// <summary>The manifest's text: one line naming the base file, as getAofManifestAsString writes it.</summary>
    public static string ManifestText(string appendFileName = DefaultAppendFileName) =>
        string.Create(CultureInfo.InvariantCulture, $"file {BaseFileName(appendFileName)} seq 1 type b\n");
}
