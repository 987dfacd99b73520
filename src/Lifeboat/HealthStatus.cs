namespace Lifeboat;

/// <summary>How one preflight check came out, from best to worst; <see cref="Skipped"/> did not run because something it needs failed.</summary>
public enum HealthStatus
{
    /// <summary>What was checked is as it should be.</summary>
    Ok,

    /// <summary>It works, but needs attention before it fails (little free space, a stale lock).</summary>
    Warn,

    /// <summary>A backup or restore would fail because of it.</summary>
    Fail,

    /// <summary>Not checked: something it needs failed, and that failure is reported on its own.</summary>
    Skipped,
}
