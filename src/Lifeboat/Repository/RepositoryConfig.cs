namespace Lifeboat.Repository;

/// <summary>The repository's plaintext description, stored as the object "config".</summary>
public sealed record RepositoryConfig
{
    /// <summary>The repository layout version this build writes and reads (docs/FORMAT.md §4 records each one).</summary>
    public const int CurrentVersion = 2;

    /// <summary>Layout version.</summary>
    public int Version { get; init; } = CurrentVersion;

    /// <summary>Random repository id.</summary>
    public required string Id { get; init; }

    /// <summary>When the repository was created.</summary>
    public required DateTimeOffset CreatedAt { get; init; }

    /// <summary>Id of the data key every object is encrypted with.</summary>
    public required string DataKeyId { get; init; }
}
