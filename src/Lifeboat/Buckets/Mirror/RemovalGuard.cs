using System.Globalization;

namespace Lifeboat.Buckets.Mirror;

/// <summary>
/// What keeps a mirror's removals from emptying its target by mistake (mc#4047: a source that was empty, unreachable
/// through a proxy that answered with nothing, or pointed at the wrong prefix made the mirror delete everything).
/// Removing more than a set share of the target's objects in one run, or anything at all on behalf of a source that
/// lists nothing, is refused unless forced. Only the removals are refused: the mirror still copies and fixes what
/// changed, so a failover copy does not go stale while someone looks into the refusal.
/// </summary>
public static class RemovalGuard
{
    /// <summary>
    /// Why removing <paramref name="removals"/> of the <paramref name="targetObjects"/> objects of
    /// <paramref name="target"/> is refused: more than <paramref name="limitPercent"/> of them, or
    /// <paramref name="source"/> listed no objects (<paramref name="sourceObjects"/>) while the target holds some;
    /// null when the removals may go ahead, and always when <paramref name="force"/>.
    /// </summary>
    public static LifeboatException? Refusal(long sourceObjects, long targetObjects, long removals, int limitPercent, bool force, string source, string target)
    {
        if (force || removals == 0)
            return null;
        if (sourceObjects == 0)
        {
            return Refused(
                $"{source} lists no objects, so mirroring it with removals would empty {target} ({Count(targetObjects)})",
                "an empty, unreachable or misconfigured source must never empty its mirror; nothing was removed");
        }

        if (removals * 100 <= (long)limitPercent * targetObjects)
            return null;
        var share = (double)removals * 100 / targetObjects;
        return Refused(
            $"mirroring {source} would remove {removals.ToString("N0", CultureInfo.InvariantCulture)} of the {Count(targetObjects)} in {target} ({share.ToString("0.#", CultureInfo.InvariantCulture)} %), "
            + $"more than the {limitPercent} % one run may remove",
            "check that the source lists what it should; nothing was removed");
    }

    private static string Count(long objects) => objects == 1 ? "1 object" : $"{objects.ToString("N0", CultureInfo.InvariantCulture)} objects";

    private static LifeboatException Refused(string message, string hint) =>
        new(message, hint, FailureKind.Usage) { Remedy = new(RemedyAction.AllowMirrorRemovals) };
}
