namespace Lifeboat.Cli.Output;

/// <summary>Human-readable byte counts: 1.5 MiB, as the core words them in its messages.</summary>
internal static class ByteSize
{
    /// <summary>Formats <paramref name="bytes"/> with a binary unit.</summary>
    public static string Format(long bytes) => ByteCount.Format(bytes);
}
