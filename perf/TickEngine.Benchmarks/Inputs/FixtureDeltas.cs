using TickEngine.Engine.Events;
using TickEngine.Engine.Ingest;
using TickEngine.Engine.Venues.Binance;
using TickEngine.Engine.Ring;
using TickEngine.Storage.Format;

namespace TickEngine.Benchmarks.Inputs;

/// <summary>The real depth stream's accepted level changes (snapshot first) as deltas rows, as the engine's own sync publishes them.</summary>
public static class FixtureDeltas
{
    public static List<long[]> Real()
    {
        var d = new ValueDisruptor<MarketEvent>(1 << 19);
        var pub = new EventPublisher(d.Ring, d.Sequencer);
        var adapter = new BinanceAdapter(new InstrumentRegistry(), pub, futures: false);
        foreach (var f in FixtureFrames.All())
        {
            if (f.IsRest) adapter.OnRest(f.Bytes, f.ReceiveNs, null);
            else if (System.Text.Encoding.ASCII.GetString(f.Bytes, 0, Math.Min(40, f.Bytes.Length)).Contains("@depth")) adapter.OnFrame(f.Bytes, f.ReceiveNs);
        }
        var rows = new List<long[]>();
        for (long s = 0; s < pub.Published; s++)
        {
            ref var e = ref d.Ring[s];
            if (e.Kind != EventKind.BookDelta) continue;
            rows.Add([e.ExchangeTime, e.ReceiveTime, e.Id, e.Id2, e.Side, e.Price, e.Quantity, e.Flags]);
        }
        return rows;
    }
}
