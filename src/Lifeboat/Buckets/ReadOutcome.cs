namespace Lifeboat.Buckets;

/// <summary>What reading one <see cref="ReadRequest"/> found: stored content and attributes, or that the object was gone.</summary>
/// <param name="Ticket">The request's ticket.</param>
/// <param name="Content">The content read and stored; null when the object was gone (404) at read time.</param>
/// <param name="Attributes">Headers, metadata, tags and storage class from the read; null when gone.</param>
/// <param name="Replaced">
/// The GET's size, ETag and Last-Modified when the object was replaced between listing and read (unversioned
/// sources); they then replace the listed values. Null when the read found the listed object.
/// </param>
public sealed record ReadOutcome(long Ticket, ContentRef? Content, ObjectAttributes? Attributes, ObjectIdentity? Replaced = null)
{
    /// <summary>The object was not there when read: an unversioned key counts as deleted, a version is omitted.</summary>
    public bool IsGone => Content is null;

    /// <summary>An outcome of content read and stored.</summary>
    public static ReadOutcome Read(long ticket, ContentRef content, ObjectAttributes attributes, ObjectIdentity? replaced = null) =>
        new(ticket, content, attributes, replaced);

    /// <summary>An outcome of an object gone between listing and read.</summary>
    public static ReadOutcome Gone(long ticket) => new(ticket, null, null);
}

/// <summary>What identifies an upload without reading it: size, ETag and last-modified time.</summary>
/// <param name="Size">Bytes.</param>
/// <param name="ETag">The ETag without quotes.</param>
/// <param name="LastModified">The last-modified time.</param>
public sealed record ObjectIdentity(long Size, string ETag, DateTimeOffset LastModified);
