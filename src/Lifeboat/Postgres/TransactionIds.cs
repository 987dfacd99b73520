namespace Lifeboat.Postgres;

/// <summary>
/// Transaction ids as PostgreSQL compares them (TransactionIdFollows): 32 bits that wrap around, so of two ids the one
/// less than 2^31 ahead is the later.
/// </summary>
public static class TransactionIds
{
    /// <summary>True when <paramref name="a"/> is later than <paramref name="b"/>.</summary>
    public static bool Follows(uint a, uint b) => unchecked((int)(a - b)) > 0;

    /// <summary>True when <paramref name="a"/> is <paramref name="b"/> or later.</summary>
    public static bool FollowsOrEquals(uint a, uint b) => unchecked((int)(a - b)) >= 0;

    /// <summary>The later of two ids.</summary>
    public static uint Later(uint a, uint b) => Follows(a, b) ? a : b;
}
