using Lifeboat.Buckets.Restore;

namespace Lifeboat.Cli.Sources.Buckets;

/// <summary>How a restore or mirror that left objects behind fails: exit 1, naming the first and saying what to do about it.</summary>
internal static class FailedObjects
{
    /// <summary>Throws when <paramref name="failed"/> objects were not written (<paramref name="written"/>: "restored", "copied") or not removed.</summary>
    public static void ThrowIfAny(long failed, IReadOnlyList<RestoreFailure> failures, string written)
    {
        if (failed == 0)
            return;
        var first = failures[0];
        var others = failed == 1 ? "" : $" and {failed - 1:N0} more (each named above)";
        throw new LifeboatException($"'{first.Key}' was not {(first.Removal ? "removed" : written)}{others}: {first.Error.Message}", first.Error.Hint)
        {
            Remedy = first.Error.Remedy,
        };
    }
}
