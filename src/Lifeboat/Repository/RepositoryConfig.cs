namespace Lifeboat.Repository;

/// <summary>The repository's plaintext description, stored as the object "config".</summary>
public sealed record RepositoryConfig
{
    /// <summary>The repository layout version this build writes (docs/FORMAT.md §4 records each one).</summary>
    public const int CurrentVersion = 3;

    /// <summary>
    /// The oldest layout this build reads as it is: layout 2 differs from 3 only in that its backup ids are written to
    /// the second, and its first backup by this build marks it 3, so that older builds refuse it instead of missing
    /// the backups whose ids they cannot parse.
    /// </summary>
    public const int OldestReadableVersion = 2;

    /// <summary>Layout version.</summary>
    public int Version { get; init; } = CurrentVersion;

    /// <summary>Random repository id.</summary>
    public required string Id { get; init; }

    /// <summary>When the repository was created.</summary>
    public required DateTimeOffset CreatedAt { get; init; }

    /// <summary>Id of the data key every object is encrypted with.</summary>
    public required string DataKeyId { get; init; }
}
