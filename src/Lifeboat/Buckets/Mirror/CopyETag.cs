namespace Lifeboat.Buckets.Mirror;

/// <summary>What a mirror's copy of an object gets as its ETag, written as a mirror writes it.</summary>
public enum CopyETag
{
    /// <summary>The source's own: a plain MD5, written back with one PUT.</summary>
    Same,

    /// <summary>A multipart ETag with the source's part count; its value is the source's only when the part size was right.</summary>
    SamePartCount,

    /// <summary>Another: parts larger than a mirror reproduces, or a plain ETag beyond one PUT.</summary>
    Other,
}
