using Amazon.S3;
using Amazon.S3.Model;
using Lifeboat.Buckets.Source;

namespace Lifeboat.Buckets;

/// <summary>What a HEAD of an object answered: its identity, its attributes (tags not included) and its tag count.</summary>
/// <param name="Size">Bytes.</param>
/// <param name="ETag">The ETag without quotes.</param>
/// <param name="LastModified">Last-Modified (whole seconds).</param>
/// <param name="Attributes">Content headers, user metadata and storage class; no tags.</param>
/// <param name="TagCount">x-amz-tagging-count, or null when the server did not send it.</param>
/// <param name="OpaqueETag">
/// The object is encrypted with SSE-KMS or a customer's key (SSE-C): its ETag is then no digest of its bytes, and
/// two uploads of the same bytes have different ones.
/// </param>
public sealed record ObjectHead(long Size, string ETag, DateTimeOffset LastModified, ObjectAttributes Attributes, int? TagCount, bool OpaqueETag = false)
{
    /// <summary>What <paramref name="response"/> says.</summary>
    internal static ObjectHead Of(GetObjectMetadataResponse response) => new(
        response.ContentLength,
        ETags.Trim(response.ETag),
        ListingTime.Of(response.LastModified),
        ResponseAttributes.Of(response),
        response.TagsCount,
        IsOpaque(response.ServerSideEncryptionMethod, response.ServerSideEncryptionCustomerMethod));

    // SSE-S3 (AES256) keeps the MD5 ETag; KMS (aws:kms, aws:kms:dsse) and customer keys do not.
    private static bool IsOpaque(ServerSideEncryptionMethod? method, ServerSideEncryptionCustomerMethod? customer) =>
        !string.IsNullOrEmpty(customer?.Value) || (method?.Value is { Length: > 0 } name && name != ServerSideEncryptionMethod.AES256.Value);
}
