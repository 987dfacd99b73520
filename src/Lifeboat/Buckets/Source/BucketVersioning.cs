namespace Lifeboat.Buckets.Source;

/// <summary>A source bucket's versioning, as GetBucketVersioning reports it.</summary>
public enum BucketVersioning
{
    /// <summary>Never enabled: one object per key, listed with ListObjectsV2.</summary>
    Off,

    /// <summary>Enabled: every overwrite and delete keeps the older version.</summary>
    Enabled,

    /// <summary>Enabled once, now suspended: the versions already there stay, new writes replace the null version.</summary>
    Suspended,
}
