namespace Lifeboat.Buckets.Content;

/// <summary>One thing wrong with a source's stored content.</summary>
/// <param name="Subject">What is damaged or missing: a pack, a blob, a catalog segment, an indexed object.</param>
/// <param name="Problem">What is wrong with it.</param>
public sealed record ContentProblem(string Subject, string Problem);
