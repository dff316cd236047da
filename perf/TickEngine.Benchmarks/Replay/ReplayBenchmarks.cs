using BenchmarkDotNet.Attributes;
using TickEngine.Benchmarks.Inputs;
using TickEngine.Engine.Book;
using TickEngine.Engine.Events;
using TickEngine.Engine.Ingest;
using TickEngine.Engine.Replay;
using TickEngine.Engine.Ring;
using TickEngine.Storage.Format;
using TickEngine.Storage.Layout;
using TickEngine.Storage.Writing;

namespace TickEngine.Benchmarks.Replay;

/// <summary>
/// Replay at max speed. Trades: 2,000,000 synthetic trades of 2 symbols (the real capture's statistics), decoded,
/// merged by time and published onto the ring, where a handler counts them (one operation = one event).
/// Book: 1,000,000 level changes of the real depth stream (repeated) decoded, merged and applied to a rebuilt book
/// (one operation = one delta). The baseline for both is decode + merge alone (no ring, no book).
/// </summary>
[MemoryDiagnoser]
public class ReplayBenchmarks
{
    private const int Trades = 2_000_000;
    private const int Deltas = 1_000_000;
    private string _root = null!;

    private sealed class Counter : IValueEventHandler<MarketEvent>
    {
        public long Count;
        public void OnEvent(ref MarketEvent e, long sequence, bool endOfBatch) => Count++;
    }

    [GlobalSetup]
    public void Setup()
    {
        _root = Path.Combine(Path.GetTempPath(), "tickengine-replay-bench-" + Guid.NewGuid().ToString("N"));
        var schema = SegmentSchema.Create(SchemaKind.Trades);
        foreach (var symbol in new[] { "BTCUSDT", "ETHUSDT" })
        {
            using var w = new PartitionedWriter(_root, "binance", symbol, schema, new SegmentWriterOptions { CompactOnSeal = false });
            foreach (var r in FixtureTrades.Synthetic(Trades / 2, seed: symbol.Length)) w.Append(r);
        }
        // Deltas: the real depth stream's accepted changes, repeated with increasing ids and times.
        var deltas = FixtureDeltas.Real();
        using (var w = new PartitionedWriter(_root, "binance", "BTCUSDT", SegmentSchema.Create(SchemaKind.Deltas), new SegmentWriterOptions { CompactOnSeal = false }))
        {
            long written = 0, pass = 0;
            var row = new long[DeltaColumns.Count];
            while (written < Deltas)
            {
                for (int i = pass == 0 ? 0 : 2000; i < deltas.Count && written < Deltas; i++, written++)
                {
                    deltas[i].CopyTo(row, 0);
                    row[0] += pass * 400_000_000_000; row[1] += pass * 400_000_000_000;
                    row[2] += pass * 10_000_000; row[3] += pass * 10_000_000;
                    w.Append(row);
                }
                pass++;
            }
        }
    }

    [GlobalCleanup]
    public void Cleanup() => Directory.Delete(_root, true);

    [Benchmark(Baseline = true, OperationsPerInvoke = Trades)]
    [BenchmarkCategory("trades")]
    public long DecodeAndMergeTrades()
    {
        using var r = new ReplayReader(new ReplaySelection { Root = _root, Schemas = new HashSet<SchemaKind> { SchemaKind.Trades } });
        long n = 0;
        while (r.MoveNext()) n += r.Current[TradeColumns.Price] & 1;
        return n;
    }

    [Benchmark(OperationsPerInvoke = Trades)]
    [BenchmarkCategory("trades")]
    public long ReplayTradesThroughTheRing()
    {
        var d = new ValueDisruptor<MarketEvent>(1 << 16);
        var counter = new Counter();
        d.HandleEventsWith(counter);
        d.Start();
        using var r = new ReplayReader(new ReplaySelection { Root = _root, Schemas = new HashSet<SchemaKind> { SchemaKind.Trades } });
        new ReplayPublisher(r, new InstrumentRegistry(), new EventPublisher(d.Ring, d.Sequencer), speed: 0).Run();
        d.Shutdown();
        return counter.Count;
    }

    [Benchmark(OperationsPerInvoke = Deltas)]
    [BenchmarkCategory("book")]
    public long ReplayDeltasWithBookRebuild()
    {
        using var r = new ReplayReader(new ReplaySelection { Root = _root, Schemas = new HashSet<SchemaKind> { SchemaKind.Deltas } });
        var book = new BookRebuilder();
        var e = default(MarketEvent);
        e.Kind = EventKind.BookDelta;
        while (r.MoveNext())
        {
            RowEvents.Fill(r.Current, SchemaKind.Deltas, 0, ref e);
            book.Apply(e);
        }
        return book.Book.BidCount;
    }
}
