using System.Net;
using System.Net.Sockets;

namespace Lifeboat.TestKit.Servers;

/// <summary>A TCP port on 127.0.0.1 that nothing listens on right now.</summary>
/// <remarks>Another process may take it before the server binds it; servers retry with a new port when their bind fails.</remarks>
internal static class FreeTcpPort
{
    public static int Pick()
    {
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        socket.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        return ((IPEndPoint)socket.LocalEndPoint!).Port;
    }
}
