namespace Lifeboat.Redis;

/// <summary>
/// Tells, look by look, whether a replication stream has stopped draining its socket: bytes wait there and none were taken
/// since the previous look. A backup that keeps up takes the server's bytes within milliseconds (a receive wakes at the
/// low-water mark or after its patience), so a look apart with nothing taken means it no longer gets the CPU, or its
/// repository holds it up, and the server's fork waits on it either way. How many bytes wait says less: a socket that was
/// never read past its first receive keeps its window at the low-water mark, so that much is all that can pile up. Once the
/// RDB is in, whatever the server sends after it (a server older than 7.0 ignores rdb-only) is never read, and no stall.
/// A process starved only in part, still taking something every look, is slower but never takes the server past its
/// repl-timeout, and goes on yielding.
/// </summary>
internal sealed class ReplicationStall(RedisReplicationStream stream)
{
    private long _receivedAtLastLook = -1;

    /// <summary>Looks once: true when bytes wait in the socket and none were taken since the previous look.</summary>
    public bool Look()
    {
        var received = stream.BytesReceived;
        var stalled = received == _receivedAtLastLook && !stream.Finished && stream.WaitingBytes > 0;
        _receivedAtLastLook = received;
        return stalled;
    }
}
