using System.Net;
using System.Net.Sockets;

namespace DataMover.Bench;

/// <summary>
/// A port nobody listens on right now. The operator does not print the ports it bound, so the bench picks them; the
/// window between closing this socket and the operator binding the port is short enough on a loopback.
/// </summary>
internal static class FreePort
{
    public static int Pick()
    {
        using var socket = new TcpListener(IPAddress.Loopback, 0);
        socket.Start();
        return ((IPEndPoint)socket.LocalEndpoint).Port;
    }
}
