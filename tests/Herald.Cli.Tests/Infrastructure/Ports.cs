using System.Net;
using System.Net.Sockets;

namespace Herald.Cli.Tests.Infrastructure;

/// <summary>Loopback ports for servers that must come back on the same address.</summary>
public static class Ports
{
    /// <summary>A port that was free a moment ago.</summary>
    public static int Free()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
