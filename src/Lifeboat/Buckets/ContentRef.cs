namespace Lifeboat.Buckets;

/// <summary>Content the repository holds, as storing (or finding) it answers: its address and what storing it cost.</summary>
/// <param name="Sha256">SHA-256 of the bytes read, lower-case hex.</param>
/// <param name="Size">Plaintext bytes.</param>
/// <param name="NewStoredBytes">Bytes this store added to the repository; 0 when the content was already there.</param>
public sealed record ContentRef(string Sha256, long Size, long NewStoredBytes);
