namespace Lifeboat.Buckets.Content;

/// <summary>Where a stored content is made known: the catalog, and the lines the next catalog segment will write.</summary>
internal interface IContentRegistry
{
    /// <summary>True when the repository already holds <paramref name="sha"/>.</summary>
    bool Contains(ContentDigest sha);

    /// <summary>
    /// Records content that is durable at <paramref name="location"/>; false when another task registered the same
    /// content first, in which case nothing names this copy and the caller removes it.
    /// </summary>
    Task<bool> TryRegisterAsync(ContentLocation location, string? sourceEtag, CancellationToken cancellationToken);
}
