namespace Lifeboat.Buckets.Restore;

/// <summary>What differs between a target object's attributes and the recorded ones.</summary>
[Flags]
public enum AttributeDifference
{
    /// <summary>Nothing: the object is unchanged.</summary>
    None = 0,

    /// <summary>Content headers or user metadata: a copy onto itself rewrites them.</summary>
    Headers = 1,

    /// <summary>Tags: rewritten on their own.</summary>
    Tags = 2,

    /// <summary>Storage class: a copy onto itself changes it.</summary>
    StorageClass = 4,
}
