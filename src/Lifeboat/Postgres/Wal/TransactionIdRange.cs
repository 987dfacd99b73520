using System.Text.Json.Serialization;

namespace Lifeboat.Postgres.Wal;

/// <summary>Consecutive transaction ids, <paramref name="First"/> to <paramref name="Last"/> (by value, not wrap-around order), written as [first, last].</summary>
/// <param name="First">The lowest id of the range.</param>
/// <param name="Last">The highest id of the range.</param>
[JsonConverter(typeof(TransactionIdRangeJsonConverter))]
public readonly record struct TransactionIdRange(uint First, uint Last)
{
    /// <summary>True when <paramref name="xid"/> lies in the range.</summary>
    public bool Contains(uint xid) => xid >= First && xid <= Last;

    /// <inheritdoc />
    public override string ToString() => First == Last ? $"{First}" : $"{First}-{Last}";
}
