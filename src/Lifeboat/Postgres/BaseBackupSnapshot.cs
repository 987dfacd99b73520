using System.Globalization;

namespace Lifeboat.Postgres;

/// <summary>
/// The server's snapshot (pg_current_snapshot) taken right after a base backup stopped: which transactions had finished
/// by then. A transaction that had not cannot have committed inside the backup, so recovery from it can stop at it.
/// </summary>
/// <param name="Xmin">The oldest transaction still running.</param>
/// <param name="Xmax">One past the newest transaction that had finished; none from here on had.</param>
/// <param name="Running">The transactions between the two still running.</param>
public sealed record BaseBackupSnapshot(ulong Xmin, ulong Xmax, IReadOnlyList<ulong> Running)
{
    /// <summary>Parses pg_snapshot's text form "xmin:xmax:xip,xip"; null for anything else.</summary>
    public static BaseBackupSnapshot? TryParse(string text)
    {
        var parts = text.Split(':');
        if (parts.Length != 3 || !TryParseXid(parts[0], out var xmin) || !TryParseXid(parts[1], out var xmax))
            return null;
        var running = new List<ulong>();
        foreach (var item in parts[2].Split(',', StringSplitOptions.RemoveEmptyEntries))
        {
            if (!TryParseXid(item, out var xid))
                return null;
            running.Add(xid);
        }

        return new BaseBackupSnapshot(xmin, xmax, running);
    }

    /// <summary>
    /// True when transaction <paramref name="xid"/> (its 32 bits, as recovery_target_xid compares them) had finished,
    /// committed or aborted, when the snapshot was taken.
    /// </summary>
    public bool HadFinished(uint xid) =>
        !TransactionIds.FollowsOrEquals(xid, (uint)Xmax) && !Running.Any(r => (uint)r == xid);

    /// <inheritdoc />
    public override string ToString() => $"{Xmin}:{Xmax}:{string.Join(',', Running)}";

    private static bool TryParseXid(string text, out ulong xid) => ulong.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out xid);
}
