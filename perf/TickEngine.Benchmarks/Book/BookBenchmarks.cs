using BenchmarkDotNet.Attributes;
using TickEngine.Benchmarks.Inputs;
using TickEngine.Engine.Book;
using TickEngine.Engine.Events;
using TickEngine.Engine.Ingest;
using TickEngine.Engine.Venues.Binance;
using TickEngine.Engine.Ring;
using TickEngine.Storage.Format;

namespace TickEngine.Benchmarks.Book;

/// <summary>
/// Applying the real depth stream's level changes (the REST snapshot's 2,000 levels, then 124,073 level
/// changes of 3,449 diffs) to TickEngine's order book, against a SortedDictionary book (the baseline).
/// One operation = one level change.
/// </summary>
[MemoryDiagnoser]
public class BookBenchmarks
{
    private (BookSide Side, long Price, long Qty)[] _snapshot = null!;
    private (BookSide Side, long Price, long Qty)[] _changes = null!;

    [GlobalSetup]
    public void Setup()
    {
        // Let the engine's own sync decide which levels apply; capture them from the ring.
        var frames = FixtureFrames.All();
        var d = new ValueDisruptor<MarketEvent>(1 << 19);
        var pub = new EventPublisher(d.Ring, d.Sequencer);
        var adapter = new BinanceAdapter(new InstrumentRegistry(), pub, futures: false);
        foreach (var f in frames)
        {
            if (f.IsRest) adapter.OnRest(f.Bytes, f.ReceiveNs, null);
            else if (System.Text.Encoding.ASCII.GetString(f.Bytes, 0, 40).Contains("@depth")) adapter.OnFrame(f.Bytes, f.ReceiveNs);
        }
        var snap = new List<(BookSide, long, long)>();
        var changes = new List<(BookSide, long, long)>();
        for (long s = 0; s < pub.Published; s++)
        {
            ref var e = ref d.Ring[s];
            if (e.Kind != EventKind.BookDelta) continue;
            ((e.Flags & (long)RowFlags.FromSnapshot) != 0 ? snap : changes).Add(((BookSide)e.Side, e.Price, e.Quantity));
        }
        _snapshot = snap.ToArray();
        _changes = changes.ToArray();
        Console.WriteLine($"// snapshot levels {_snapshot.Length}, level changes {_changes.Length}");
    }

    [Benchmark(Baseline = true, OperationsPerInvoke = 124_073)]
    public int SortedDictionaryBook()
    {
        var bids = new SortedDictionary<long, long>();
        var asks = new SortedDictionary<long, long>();
        foreach (var (side, p, q) in _snapshot) (side == BookSide.Bid ? bids : asks)[p] = q;
        foreach (var (side, p, q) in _changes)
        {
            var book = side == BookSide.Bid ? bids : asks;
            if (q == 0) book.Remove(p); else book[p] = q;
        }
        return bids.Count + asks.Count;
    }

    [Benchmark(OperationsPerInvoke = 124_073)]
    public int TickEngineBook()
    {
        var book = new OrderBook();
        foreach (var (side, p, q) in _snapshot) book.Set(side, p, q);
        foreach (var (side, p, q) in _changes) book.Set(side, p, q);
        return book.BidCount + book.AskCount;
    }
}
