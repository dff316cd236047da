using System.Net;
using System.Net.Sockets;

namespace TickEngine.Tests.Shared;

/// <summary>A loopback port free now (the OS's pick), for a server a test starts as another process.</summary>
public static class LoopbackPorts
{
    public static int Free()
    {
        var l = new TcpListener(IPAddress.Loopback, 0);
        l.Start();
        int port = ((IPEndPoint)l.LocalEndpoint).Port;
        l.Stop();
        return port;
    }
}
