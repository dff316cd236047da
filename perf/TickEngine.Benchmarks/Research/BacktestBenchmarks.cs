using TickEngine.Engine.Venues;
using BenchmarkDotNet.Attributes;
using TickEngine.Benchmarks.Inputs;
using TickEngine.Engine.Book;
using TickEngine.Engine.Capture;
using TickEngine.Engine.Events;
using TickEngine.Engine.Pipeline;
using TickEngine.Engine.Replay;
using TickEngine.Engine.Research;
using TickEngine.Storage.Format;

namespace TickEngine.Benchmarks.Research;

/// <summary>
/// The backtest handler on the real spot capture's recorded events (135,831: level changes, trades, markers), one
/// operation = one event: the baseline only rebuilds the full book; the backtest keeps the book in the simulated
/// exchange, runs the market maker (quotes, cancels, queue positions under power2, fills) and exact PnL. A fresh
/// backtest per invocation, so its set-up (the book's chunk arrays, the orders it sends) is spread over the events.
/// </summary>
[MemoryDiagnoser]
public class BacktestBenchmarks
{
    private MarketEvent[] _events = [];

    [GlobalSetup]
    public void Setup()
    {
        string root = Path.Combine(Path.GetTempPath(), "tickengine-bt-bench-" + Guid.NewGuid().ToString("N"));
        var p = new RecordPipeline(RecordOptions.ForCapture(root));
        p.Start();
        new CaptureFileSource(FixtureTrades.BinanceSpotCapture, p.Adapter).Run();
        p.Stop();
        var list = new List<MarketEvent>();
        using (var reader = new ReplayReader(new ReplaySelection { Root = root, Schemas = new HashSet<SchemaKind> { SchemaKind.Deltas, SchemaKind.Trades, SchemaKind.Status } }))
        {
            var e = default(MarketEvent);
            while (reader.MoveNext())
            {
                if (reader.IsDamage) continue;
                RowEvents.Fill(reader.Current, reader.Kind, 0, ref e);
                list.Add(e);
            }
        }
        Directory.Delete(root, true);
        _events = list.ToArray();
        Console.WriteLine($"// events {_events.Length}");
    }

    [Benchmark(Baseline = true, OperationsPerInvoke = 135_831)]
    public long BookOnly()
    {
        var book = new BookRebuilder();
        for (int i = 0; i < _events.Length; i++) book.Apply(_events[i]);
        return book.Book.BidCount;
    }

    [Benchmark(OperationsPerInvoke = 135_831)]
    public long BacktestMarketMaker()
    {
        var money = new MoneyScale(8, 8);
        var sim = new ExecutionSimulator(money, QueueModel.Power(2), LatencyModel.Fixed(1_000_000, 1_000_000), FeeSchedule.DefaultFor("binance")) { KeepHistory = false, DeliverFills = true };
        var backtest = new Backtest(0, sim, BacktestRunner.CreateStrategy("mm", new Dictionary<string, string>(), 8, 8));
        for (int i = 0; i < _events.Length; i++) backtest.OnEvent(ref _events[i], i, false);
        return backtest.Portfolio.Fills;
    }
}
