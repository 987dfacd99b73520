namespace Lifeboat.Redis.Rdb;

/// <summary>An RDB's bytes are not what the format allows at <see cref="Offset"/>; the reader words it for the operator.</summary>
internal sealed class RdbFormatException(long offset, string problem) : Exception(problem)
{
    /// <summary>The byte offset in the RDB where the problem was found.</summary>
    public long Offset { get; } = offset;

    /// <summary>True when the RDB ended before the format said it would.</summary>
    public bool Truncated { get; init; }

    /// <summary>
    /// True when the bytes may well be a sound RDB that holds what this reader cannot walk (a module's value, a type of
    /// a newer Redis), rather than damage.
    /// </summary>
    public bool Unsupported { get; init; }

    /// <summary>True when the bytes are known to be damaged: the checksum fails, or bytes follow the end.</summary>
    public bool Damaged { get; init; }
}
