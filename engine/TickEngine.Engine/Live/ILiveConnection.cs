using System.Buffers;
using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net.WebSockets;
using System.Text;
using TickEngine.Engine.Ingest;

namespace TickEngine.Engine.Live;

/// <summary>One connection of a live feed: where, in what state, how many messages.</summary>
public interface ILiveConnection
{
    Uri Uri { get; }
    ConnectionState State { get; }
    long Messages { get; }
}
