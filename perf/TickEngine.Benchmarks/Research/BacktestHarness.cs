using System.Diagnostics;
using System.Globalization;
using TickEngine.Benchmarks.Inputs;
using TickEngine.Engine.Book;
using TickEngine.Engine.Events;
using TickEngine.Engine.Ingest;
using TickEngine.Engine.Replay;
using TickEngine.Engine.Research;
using TickEngine.Engine.Ring;
using TickEngine.Storage.Format;
using TickEngine.Storage.Writing;

namespace TickEngine.Benchmarks.Research;

/// <summary>
/// <c>backtest-scale [--trades N] [--deltas N] [--strategy mm|imbalance] [--keep DIR]</c>: a synthetic month of
/// BTCUSDT (N trades at the real capture's prices, sizes and sides, and N full-depth level changes of the real
/// depth stream repeated, both spread over 30 days, one segment a day), written, then replayed at max speed through
/// the ring: first into a handler that only rebuilds the full book (the baseline), then into a backtest (the
/// simulated exchange with the full book, the strategy, exact PnL). Events/s, wall time, peak RSS, GC heap.
/// </summary>
public static class BacktestHarness
{
    private sealed class BookOnly(int instrument) : IValueEventHandler<MarketEvent>
    {
        public readonly BookRebuilder Book = new();
        public long Events;
        public void OnEvent(ref MarketEvent e, long sequence, bool endOfBatch)
        {
            if (e.InstrumentId != instrument) return;
            Events++;
            Book.Apply(e);
        }
    }

    public static int Run(string[] args)
    {
        long trades = HarnessArgs.Long(args, "--trades", 100_000_000);
        long deltas = HarnessArgs.Long(args, "--deltas", 100_000_000);
        string strategy = HarnessArgs.Value(args, "--strategy") ?? "mm";
        string? keep = HarnessArgs.Value(args, "--keep");
        string root = keep is { Length: > 0 } ? keep : Path.Combine(Path.GetTempPath(), "tickengine-backtest-" + Guid.NewGuid().ToString("N"));
        var inv = CultureInfo.InvariantCulture;
        try
        {
            if (!Directory.Exists(Path.Combine(root, "binance"))) Write(root, trades, deltas, inv);
            else Console.WriteLine($"using the data already in {root}");

            // Baseline: the same events through the ring into the full book only.
            GC.Collect();
            var sw = Stopwatch.StartNew();
            var registry = new InstrumentRegistry();
            var inst = registry.GetOrAdd("binance", "BTCUSDT");
            using (var reader = new ReplayReader(new ReplaySelection { Root = root, Schemas = new HashSet<SchemaKind> { SchemaKind.Trades, SchemaKind.Deltas, SchemaKind.Status } }))
            {
                var d = new ValueDisruptor<MarketEvent>(1 << 16);
                var book = new BookOnly(inst.Id);
                d.HandleEventsWith(book);
                d.Start();
                var replay = new ReplayPublisher(reader, registry, new EventPublisher(d.Ring, d.Sequencer), 0);
                replay.Run();
                d.Shutdown();
                double s = sw.Elapsed.TotalSeconds;
                Console.WriteLine(string.Format(inv, "baseline (replay + full book only): {0:N0} events in {1:F1} s: {2:N0} events/s; book {3} x {4} levels at the end",
                    book.Events, s, book.Events / s, book.Book.Book.BidCount, book.Book.Book.AskCount));
            }

            GC.Collect();
            var proc = Process.GetCurrentProcess();
            sw.Restart();
            var (run, events, _) = BacktestRunner.Run(new BacktestSpec { Root = root, Symbol = "BTCUSDT", Strategy = strategy });
            double secs = sw.Elapsed.TotalSeconds;
            var m = BacktestMetrics.Of(run);
            proc.Refresh();
            Console.WriteLine(string.Format(inv, "backtest {0} (full book, simulated exchange, strategy, exact PnL): {1:N0} events in {2:F1} s: {3:N0} events/s",
                strategy, events, secs, events / secs));
            Console.WriteLine(string.Format(inv, "  orders {0:N0}, fills {1:N0} (maker {2:N0}), PnL {3}, fees {4}, equity points {5:N0}, fills kept {6:N0}",
                m.OrdersSent, m.Fills, m.MakerFills, run.Portfolio.Money.ToText(m.TotalPnl), run.Portfolio.Money.ToText(m.Fees), run.Equity.Count, run.FillsKept.Count));
            Console.WriteLine(string.Format(inv, "  peak RSS {0:N0} MB (process, incl. mapped segment pages and the writing phase), GC heap {1:N0} MB retained with the results (forced collection)",
                proc.PeakWorkingSet64 / 1e6, GC.GetTotalMemory(true) / 1e6));
        }
        finally
        {
            if (keep is not { Length: > 0 }) Directory.Delete(root, true);
        }
        return 0;
    }

    private static void Write(string root, long trades, long deltas, IFormatProvider inv)
    {
        var sw = Stopwatch.StartNew();
        long t0 = 1722470400_000_000_000, month = 30L * 86_400_000_000_000; // 2024-08-01
        var real = FixtureTrades.Real();
        using (var w = new PartitionedWriter(root, "binance", "BTCUSDT", SegmentSchema.Create(SchemaKind.Trades)))
        {
            long spacing = month / trades;
            var row = new long[TradeColumns.Count];
            for (long i = 0; i < trades; i++)
            {
                var r = real[i % real.Length];
                row[0] = t0 + i * spacing;
                row[1] = row[0] + 1_250_000;
                row[2] = 1 + i;
                row[3] = r[3]; row[4] = r[4]; row[5] = r[5]; row[6] = 0;
                w.Append(row);
            }
        }
        var depth = FixtureDeltas.Real();
        using (var w = new PartitionedWriter(root, "binance", "BTCUSDT", SegmentSchema.Create(SchemaKind.Deltas)))
        {
            long written = 0, pass = 0, spacing = month / deltas;
            var row = new long[DeltaColumns.Count];
            while (written < deltas)
            {
                for (int i = pass == 0 ? 0 : 2000; i < depth.Count && written < deltas; i++, written++)
                {
                    depth[i].CopyTo(row, 0);
                    row[0] = t0 + written * spacing + spacing / 2;
                    row[1] = row[0] + 1_000_000;
                    row[2] += pass * 10_000_000; row[3] += pass * 10_000_000;
                    w.Append(row);
                }
                pass++;
            }
        }
        long bytes = Directory.EnumerateFiles(root, "*.tks", SearchOption.AllDirectories).Sum(f => new FileInfo(f).Length);
        Console.WriteLine(string.Format(inv, "wrote {0:N0} trades and {1:N0} deltas over 30 days in {2:F1} s: {3:N0} MB on disk", trades, deltas, sw.Elapsed.TotalSeconds, bytes / 1e6));
    }
}
