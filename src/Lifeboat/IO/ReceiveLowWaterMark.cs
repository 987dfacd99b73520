using System.Net.Sockets;

namespace Lifeboat.IO;

/// <summary>
/// Asks the kernel to wake a socket's pending receive only once a number of bytes have arrived (SO_RCVLOWAT), so a
/// fast stream is taken in few large pieces instead of one wake-up per small segment. A receive left waiting longer
/// than the patience has the mark dropped to one byte (Linux signals a waiting reader when the mark is lowered), so
/// bytes that stop short of it - the end of a stream whose sender keeps the connection open - are never held back;
/// the next receive raises it again. A mark the socket refuses leaves receives as they were.
/// </summary>
internal sealed class ReceiveLowWaterMark : IDisposable
{
    private const int SolSocket = 1;
    private const int SoRcvLowat = 18;

    private readonly Socket _socket;
    private readonly int _bytes;
    private readonly TimeSpan _patience;
    private readonly Timer _timer;
    private readonly Lock _lock = new();
    private int _current;
    private bool _disposed;

    private ReceiveLowWaterMark(Socket socket, int bytes, TimeSpan patience)
    {
        _socket = socket;
        _bytes = bytes;
        _patience = patience;
        _current = bytes;
        _timer = new Timer(_ => Lower(), null, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
    }

    /// <summary>
    /// Sets the mark to <paramref name="bytes"/> on <paramref name="socket"/> (not owned); null when the socket refuses
    /// it, and then nothing changes. A receive waits at most <paramref name="patience"/> for the mark to be reached.
    /// </summary>
    public static ReceiveLowWaterMark? TrySet(Socket socket, int bytes, TimeSpan patience) =>
        TrySetOption(socket, bytes) ? new ReceiveLowWaterMark(socket, bytes, patience) : null;

    /// <summary>
    /// Call before each receive: raises the mark again (to <paramref name="expected"/> when fewer bytes are still to
    /// come, so the last of a known length is not waited on) and starts the patience.
    /// </summary>
    public void BeforeReceive(long? expected = null)
    {
        var wanted = (int)Math.Clamp(expected ?? _bytes, 1, _bytes);
        lock (_lock)
        {
            if (_disposed)
                return;
            if (_current != wanted && TrySetOption(_socket, wanted))
                _current = wanted;
            _timer.Change(_patience, Timeout.InfiniteTimeSpan);
        }
    }

    /// <summary>Call once the receive is done: stops the patience.</summary>
    public void AfterReceive()
    {
        lock (_lock)
        {
            if (!_disposed)
                _timer.Change(Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
        }
    }

    /// <summary>Stops the timer; the socket keeps whatever mark it has.</summary>
    public void Dispose()
    {
        lock (_lock)
        {
            _disposed = true;
            _timer.Dispose();
        }
    }

    // On the timer's thread: the receive has waited its patience out, so whatever has arrived is let through.
    private void Lower()
    {
        lock (_lock)
        {
            if (!_disposed && _current != 1 && TrySetOption(_socket, 1))
                _current = 1;
        }
    }

    // The mark is only an economy: a socket that refuses it, or is closed meanwhile, is read as it would be without.
    private static bool TrySetOption(Socket socket, int bytes)
    {
        try
        {
            Span<byte> value = stackalloc byte[sizeof(int)];
            BitConverter.TryWriteBytes(value, bytes);
            socket.SetRawSocketOption(SolSocket, SoRcvLowat, value);
            return true;
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException or PlatformNotSupportedException)
        {
            return false;
        }
    }
}
