using Lifeboat.Buckets.Target;

namespace Lifeboat.Buckets.Restore;

/// <summary>What every phase of one restore (or mirror) shares: the target, the counts, where to report, and how to write.</summary>
/// <param name="Target">The bucket written into.</param>
/// <param name="Tally">The counts.</param>
/// <param name="Reporter">Where events and warnings go.</param>
/// <param name="Settings">How many objects at once, whether to write at all, whether extras go.</param>
internal sealed record RestoreContext(TargetBucketClient Target, RestoreTally Tally, IActivityReporter Reporter, WriteSettings Settings)
{
    /// <summary>Records that <paramref name="key"/> was not written (or, with <paramref name="removal"/>, not removed), with a warning naming it; the restore goes on.</summary>
    public void Fail(string key, LifeboatException error, bool removal = false)
    {
        var message = $"'{key}' was not {(removal ? "removed" : Settings.Written)}: {error.Message}";
        if (error.Remedy is { } remedy)
            Reporter.Warning(message, remedy);
        else
            Reporter.Warning(message);
        Tally.Failed(new RestoreFailure(key, error, removal));
    }

    /// <summary>Runs <paramref name="body"/> for each item, <paramref name="atOnce"/> at a time; the first failure stops the rest and is thrown.</summary>
    public static Task ForEachAsync<T>(IAsyncEnumerable<T> items, int atOnce, Func<T, CancellationToken, ValueTask> body, CancellationToken cancellationToken) =>
        Parallel.ForEachAsync(items, new ParallelOptions { MaxDegreeOfParallelism = atOnce, CancellationToken = cancellationToken }, body);
}
