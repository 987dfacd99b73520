namespace Lifeboat.Processes;

/// <summary>
/// Lets a front end see each child tool as it starts (a verbose mode), as a shell-like command line whose secrets
/// are masked. Observation belongs to the async flow that asked for it, so concurrent callers each see their own.
/// </summary>
public static class ChildProcessObserver
{
    private static readonly AsyncLocal<Action<string>?> Current = new();

    /// <summary>Calls <paramref name="onStart"/> with the command line of every child this async flow starts, until disposed.</summary>
    public static IDisposable Observe(Action<string> onStart)
    {
        ArgumentNullException.ThrowIfNull(onStart);
        var previous = Current.Value;
        Current.Value = onStart;
        return new Restore(previous);
    }

    /// <summary>Tells the observer, if any, that <paramref name="path"/> is about to start.</summary>
    internal static void Starting(string path, IEnumerable<string> arguments, IReadOnlyDictionary<string, string?> environment, string scriptName)
    {
        if (Current.Value is { } observer)
            observer(ChildCommandLine.Format(path, arguments, environment, scriptName));
    }

    private sealed class Restore(Action<string>? previous) : IDisposable
    {
        public void Dispose() => Current.Value = previous;
    }
}
