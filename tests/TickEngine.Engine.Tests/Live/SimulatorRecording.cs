using TickEngine.Simulator.Dialects.Binance;
using TickEngine.Engine.Live;
using TickEngine.Engine.Pipeline;
using TickEngine.Simulator;
using TickEngine.Simulator.Market;
using TickEngine.Storage.Format;
using TickEngine.Storage.Layout;
using TickEngine.Storage.Reading;

namespace TickEngine.Engine.Tests.Live;

/// <summary>Runs the simulator and a live recorder against it, in-process, on loopback.</summary>
public sealed class SimulatorRecording : IAsyncDisposable
{
    private SimulatorRecording(SimulatorServer server, LiveRecorder recorder)
    {
        Server = server;
        Recorder = recorder;
    }

    public SimulatorServer Server { get; }
    public LiveRecorder Recorder { get; }

    public static async Task<SimulatorRecording> StartAsync(IMarketSource market, string root, SimulatorOptions? sim = null, LiveOptions? live = null, int maxFrameBytes = 16 << 20)
    {
        sim ??= new SimulatorOptions { Speed = 0 };
        var server = await SimulatorServer.StartAsync(new SimulatedExchange(market, sim), sim);
        live = (live ?? LiveOptions.Default) with
        {
            VenueBase = server.WebSocketBase,
            RestBase = server.BaseAddress,
            BackoffInitial = TimeSpan.FromMilliseconds(50),
            BackoffMax = TimeSpan.FromMilliseconds(500),
        };
        // A capture or a recording played by the simulator keeps its exchange times from the past: no skew bound.
        var rules = market is CaptureMarketSource or RecordingMarketSource ? TickEngine.Engine.Ingest.FrameRules.NoSkewBound : TickEngine.Engine.Ingest.FrameRules.Default;
        var recorder = new LiveRecorder(new RecordOptions { Root = root, MaxFrameBytes = maxFrameBytes, Rules = rules }, live, market.Symbols);
        recorder.Start();
        return new SimulatorRecording(server, recorder);
    }

    /// <summary>Waits until the producer has taken <paramref name="frames"/> frames (or the timeout passes).</summary>
    public async Task WaitForFramesAsync(long frames, TimeSpan timeout)
    {
        var until = DateTime.UtcNow + timeout;
        while (Recorder.Pipeline.Adapter.Counters.Frames < frames && DateTime.UtcNow < until) await Task.Delay(20);
    }

    public async Task StopAsync()
    {
        await Recorder.StopAsync();
        await Server.DisposeAsync();
    }

    public async ValueTask DisposeAsync() => await Server.DisposeAsync();

    /// <summary>Every row of a schema, with the receive time (column 1) zeroed: what must match across transports.</summary>
    public static List<long[]> Rows(string root, SchemaKind kind, bool keepReceiveTime = false, string? symbol = null)
    {
        var rows = new List<long[]>();
        foreach (var file in DataRoot.FindSegments(root, kind, symbol))
        {
            using var c = new SegmentCursor(SegmentReader.Open(file));
            while (c.MoveNext())
            {
                var row = Enumerable.Range(0, c.Reader.Schema.ColumnCount).Select(k => c[k]).ToArray();
                if (!keepReceiveTime) row[1] = 0;
                rows.Add(row);
            }
        }
        return rows;
    }
}
