using System.Net;
using System.Net.Sockets;

namespace DataMover.Bench;

/// <summary>
/// A port nobody listens on right now, for the operator's probes and metrics: the bench then knows them without
/// reading the operator's log, whose format is not an interface. The window between closing this socket and the
/// operator binding the port is short on a loopback.
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
