using System.Buffers;
using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net.WebSockets;
using System.Text;
using TickEngine.Engine.Ingest;

namespace TickEngine.Engine.Live;

/// <summary>A live feed as the recorder and its status line see it.</summary>
public interface ILiveFeed : IDisposable
{
    IReadOnlyList<ILiveConnection> Connections { get; }
    long Reconnects { get; }
    long RestErrors { get; }
    long OversizeFrames { get; }
    long BinaryFrames { get; }
    long LargestReceiveBuffer { get; }
    Task RunAsync(CancellationToken cancel);

    /// <summary>Registers the instruments the feed knows before its first frame (Binance's symbols); nothing by default.</summary>
    void Register(Ingest.InstrumentRegistry registry, string exchange) { }
}
