namespace Lifeboat;

/// <summary>How far a task counted in items has come: <paramref name="Done"/> items finished, and the phase it is in ("loading tables").</summary>
/// <param name="Done">Items finished so far.</param>
/// <param name="Phase">What the task is doing now, in a few words.</param>
public readonly record struct ItemsDone(int Done, string Phase);
