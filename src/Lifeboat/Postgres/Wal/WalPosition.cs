using System.Globalization;

namespace Lifeboat.Postgres.Wal;

/// <summary>A position in the WAL (an LSN), written as PostgreSQL writes it: two hex halves, e.g. 0/7FA920.</summary>
/// <param name="Value">The 64-bit position.</param>
public readonly record struct WalPosition(ulong Value) : IComparable<WalPosition>
{
    /// <summary>Parses "X/Y" as pg_lsn does; null for anything else.</summary>
    public static WalPosition? TryParse(string text)
    {
        var slash = text.IndexOf('/', StringComparison.Ordinal);
        if (slash is < 1 or > 8 || text.Length - slash - 1 is < 1 or > 8)
            return null;
        const NumberStyles Hex = NumberStyles.AllowHexSpecifier;
        if (!uint.TryParse(text.AsSpan(0, slash), Hex, CultureInfo.InvariantCulture, out var high)
            || !uint.TryParse(text.AsSpan(slash + 1), Hex, CultureInfo.InvariantCulture, out var low))
            return null;
        return new WalPosition(((ulong)high << 32) | low);
    }

    /// <inheritdoc />
    public int CompareTo(WalPosition other) => Value.CompareTo(other.Value);

    /// <summary>True when <paramref name="left"/> lies before <paramref name="right"/>.</summary>
    public static bool operator <(WalPosition left, WalPosition right) => left.Value < right.Value;

    /// <summary>True when <paramref name="left"/> lies after <paramref name="right"/>.</summary>
    public static bool operator >(WalPosition left, WalPosition right) => left.Value > right.Value;

    /// <summary>True when <paramref name="left"/> lies at or before <paramref name="right"/>.</summary>
    public static bool operator <=(WalPosition left, WalPosition right) => left.Value <= right.Value;

    /// <summary>True when <paramref name="left"/> lies at or after <paramref name="right"/>.</summary>
    public static bool operator >=(WalPosition left, WalPosition right) => left.Value >= right.Value;

    /// <inheritdoc />
    public override string ToString() => $"{Value >> 32:X}/{Value & 0xFFFF_FFFF:X}";
}
