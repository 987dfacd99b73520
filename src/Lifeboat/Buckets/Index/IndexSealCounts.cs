namespace Lifeboat.Buckets.Index;

/// <summary>What sealing an index found and did.</summary>
public sealed record IndexSealCounts
{
    /// <summary>How many keys gone between listing and read are named in <see cref="GoneWhileReadingKeys"/>.</summary>
    public const int GoneKeysNamed = 20;

    /// <summary>Records (versions and delete markers) in the index.</summary>
    public long Records { get; set; }

    /// <summary>Current objects: latest records that are not delete markers.</summary>
    public long Objects { get; set; }

    /// <summary>Bytes of the current objects.</summary>
    public long Bytes { get; set; }

    /// <summary>Bytes the run's reads added to the repository.</summary>
    public long NewBytesStored { get; set; }

    /// <summary>Records dropped by retention.</summary>
    public long Trimmed { get; set; }

    /// <summary>Segments in the new root.</summary>
    public int Segments { get; set; }

    /// <summary>Segments uploaded because the previous root lacked them.</summary>
    public int SegmentsUploaded { get; set; }

    /// <summary>True when the root itself was uploaded (it differs from the previous one).</summary>
    public bool RootUploaded { get; set; }

    /// <summary>Objects found gone when read.</summary>
    public long GoneWhileReading { get; set; }

    /// <summary>The first <see cref="GoneKeysNamed"/> keys found gone when read.</summary>
    public List<string> GoneWhileReadingKeys { get; } = [];
}
