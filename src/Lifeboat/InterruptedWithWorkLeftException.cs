namespace Lifeboat;

/// <summary>
/// A cancellation (a signal, Ctrl-C) that stopped work part way and left something changed that nothing cleans up, such
/// as keys written into a server: <see cref="WorkLeft"/> says what, and what to do about it, as an error would.
/// </summary>
/// <param name="workLeft">What the work left behind (its message) and what to do about it (its hint and remedy).</param>
/// <param name="cancellationToken">The token whose cancellation stopped the work.</param>
public sealed class InterruptedWithWorkLeftException(LifeboatException workLeft, CancellationToken cancellationToken)
    : OperationCanceledException(workLeft.Message, workLeft, cancellationToken)
{
    /// <summary>What the interrupted work left behind, and what to do about it.</summary>
    public LifeboatException WorkLeft { get; } = workLeft;
}
