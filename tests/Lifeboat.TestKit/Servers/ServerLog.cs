namespace Lifeboat.TestKit.Servers;

/// <summary>Reads what a server wrote to its log, for the message of a start that failed.</summary>
internal static class ServerLog
{
    /// <summary>The length of the log now, to read only what a start adds after it.</summary>
    public static long LengthOf(string path) => File.Exists(path) ? new FileInfo(path).Length : 0;

    /// <summary>What the log holds from <paramref name="offset"/> on.</summary>
    public static string Since(string path, long offset)
    {
        if (!File.Exists(path))
            return "(no log)";
        using var log = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
        log.Seek(Math.Min(offset, log.Length), SeekOrigin.Begin);
        using var reader = new StreamReader(log);
        return reader.ReadToEnd();
    }
}
