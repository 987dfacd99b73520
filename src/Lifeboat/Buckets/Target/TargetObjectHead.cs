namespace Lifeboat.Buckets.Target;

/// <summary>What a HEAD of a target object answered: its identity, its attributes (tags not included) and its tag count.</summary>
/// <param name="Size">Bytes.</param>
/// <param name="ETag">The ETag without quotes.</param>
/// <param name="LastModified">Last-Modified (whole seconds).</param>
/// <param name="Attributes">Content headers, user metadata and storage class; no tags.</param>
/// <param name="TagCount">x-amz-tagging-count, or null when the server did not send it.</param>
public sealed record TargetObjectHead(long Size, string ETag, DateTimeOffset LastModified, ObjectAttributes Attributes, int? TagCount);
