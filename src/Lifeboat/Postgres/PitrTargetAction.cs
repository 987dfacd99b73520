namespace Lifeboat.Postgres;

/// <summary>What the recovered server does once it reaches its target (recovery_target_action).</summary>
public enum PitrTargetAction
{
    /// <summary>Ends recovery and opens for writes on a new timeline.</summary>
    Promote,

    /// <summary>Stays in recovery, paused, read-only: look around, then promote or move the target.</summary>
    Pause,

    /// <summary>Stops the server; started again, it recovers anew.</summary>
    Shutdown,
}
