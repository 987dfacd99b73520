namespace Lifeboat.Buckets.Restore;

/// <summary>What a restore does with one key, as its plan decides from the snapshot's record and the target's listing.</summary>
public enum PlanAction
{
    /// <summary>Write the object: the target lacks it or holds other bytes.</summary>
    Write,

    /// <summary>Leave it: the target holds the very object that was backed up.</summary>
    Skip,

    /// <summary>The target holds the same upload's bytes under another timestamp: a HEAD decides whether its metadata or tags need fixing.</summary>
    Look,

    /// <summary>The target holds a key the snapshot did not have at that moment.</summary>
    Extra,
}
