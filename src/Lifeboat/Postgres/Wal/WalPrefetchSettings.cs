namespace Lifeboat.Postgres.Wal;

/// <summary>How the background prefetcher reads ahead of recovery.</summary>
/// <param name="Ahead">How many segments after the one asked for it keeps in the spool (the spool never holds more).</param>
/// <param name="Parallel">How many segments it fetches at once.</param>
/// <param name="IdleExit">How long it stays without a request before it empties the spool and exits.</param>
public sealed record WalPrefetchSettings(int Ahead, int Parallel, TimeSpan IdleExit);
