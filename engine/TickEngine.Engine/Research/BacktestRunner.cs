using TickEngine.Engine.Venues;
using TickEngine.Engine.Events;
using TickEngine.Engine.Ingest;
using TickEngine.Engine.Replay;
using TickEngine.Engine.Ring;
using TickEngine.Storage.Format;
using TickEngine.Storage.Reading;

namespace TickEngine.Engine.Research;

/// <summary>
/// Runs one backtest: the instrument's deltas, trades and status markers from a data root, replayed as fast as
/// they read through a ring of their own into a <see cref="Backtest"/> handler. Self-contained (its own reader,
/// ring and thread), so several run in parallel (<c>tune</c>). Orders and fills only from --start: the replay
/// starts at the data's beginning so the book is whole by then, and the strategy is held until --start.
/// </summary>
public static class BacktestRunner
{
    /// <summary>The strategies' names (<see cref="StrategyRegistry"/>).</summary>
    public static IReadOnlyList<string> Strategies => StrategyRegistry.Names;

    public static (string Exchange, int PriceScale, int QuantityScale) Instrument(BacktestSpec spec)
    {
        var (exchange, ps, qs, _) = Source(spec);
        return (exchange, ps, qs);
    }

    /// <summary>
    /// The instrument's exchange, scales, and where its book comes from (<see cref="BookSource"/>): 0 = the stored
    /// deltas (full depth), or the depth of its L2 samples when it has no deltas (top N only).
    /// </summary>
    public static (string Exchange, int PriceScale, int QuantityScale, int SampleDepth) Source(BacktestSpec spec)
    {
        var book = BookSource.Find(Selection(spec));
        return (book.Exchange, book.PriceScale, book.QuantityScale, book.SampleDepth);
    }

    /// <summary>The exchange-time span of the data a spec selects, from the segments' block indexes (no row read); null when empty.</summary>
    public static (long First, long Last)? Span(BacktestSpec spec)
    {
        using var reader = new ReplayReader(Selection(spec));
        long first = long.MaxValue, last = long.MinValue;
        foreach (var path in reader.SegmentPaths)
        {
            try
            {
                using var r = SegmentReader.Open(path);
                foreach (var b in r.Blocks) { first = Math.Min(first, b.MinExchangeTime); last = Math.Max(last, b.MaxExchangeTime); }
            }
            catch (Storage.Format.StorageFormatException) { } // reported where it is read
        }
        return first == long.MaxValue ? null : (Math.Max(first, spec.StartNs), Math.Min(last, spec.EndNs));
    }

    private static ReplaySelection Selection(BacktestSpec spec) => new()
    {
        Root = spec.Root,
        Symbols = [spec.Symbol],
        Exchanges = spec.Exchange is null ? null : [spec.Exchange],
        Schemas = new HashSet<SchemaKind> { SchemaKind.Deltas, SchemaKind.Trades, SchemaKind.Status },
        EndNs = spec.EndNs,
        Damage = DamagePolicy.Report,
    };

    public static IStrategy CreateStrategy(string name, IReadOnlyDictionary<string, string> parameters, int priceScale, int quantityScale) =>
        StrategyRegistry.Create(name, parameters, priceScale, quantityScale);

    public static (Backtest Backtest, long Events, int Damaged) Run(BacktestSpec spec, CancellationToken cancel = default, Action<long>? progress = null,
        Action<Fill, Portfolio>? ledger = null)
    {
        var (exchange, ps, qs, sampleDepth) = Source(spec);
        var strategy = CreateStrategy(spec.Strategy, spec.Parameters, ps, qs);
        var money = new MoneyScale(ps, qs);
        var sim = new ExecutionSimulator(money, Research.QueueModel.Parse(spec.QueueModel), Latency(spec, exchange), spec.Fees ?? FeeSchedule.DefaultFor(exchange))
        {
            KeepHistory = false,
            DeliverFills = true,
        };
        var selection = Selection(spec) with { Exchanges = [exchange] };
        if (sampleDepth > 0) selection = selection with { Schemas = new HashSet<SchemaKind> { SchemaKind.L2, SchemaKind.Trades, SchemaKind.Status } };
        using var reader = new ReplayReader(selection);
        var registry = new InstrumentRegistry();
        var inst = registry.GetOrAdd(exchange, spec.Symbol, ps, qs);
        var backtest = new Backtest(inst.Id, sim, spec.StartNs == long.MinValue ? strategy : new HeldUntil(strategy, spec.StartNs), spec.SampleNs, spec.StartNs)
        {
            SampleBook = sampleDepth > 0 ? new L2SampleBook(sampleDepth) : null,
            Ledger = ledger,
        };
        var outcome = ReplayToRing.Run(reader, registry, backtest, ringSize: 1 << 16, cancel: cancel, progress: progress);
        if (outcome.Stopped is { } stopped) throw stopped;
        return (backtest, outcome.Events, reader.Damage.Count);
    }

    /// <summary>
    /// Every damaged segment of the data a spec selects (each block's checksum and encoding verified, as
    /// <c>inspect</c> does): empty when the data is whole. Tune runs it first (a ranking over damaged data would rank
    /// nothing real); a backtest that met damage names it from here.
    /// </summary>
    public static List<Storage.Format.StorageFormatException> Verify(BacktestSpec spec, CancellationToken cancel = default)
    {
        var found = new List<Storage.Format.StorageFormatException>();
        using var reader = new ReplayReader(Selection(spec));
        foreach (var path in reader.SegmentPaths)
        {
            if (cancel.IsCancellationRequested) break;
            try
            {
                using var r = SegmentReader.Open(path);
                found.AddRange(r.Verify(cancel));
            }
            catch (Storage.Format.StorageFormatException e) { found.Add(e); }
        }
        return found;
    }

    /// <summary>Rows the run will replay (from the segments' indexes), for progress.</summary>
    public static long Rows(BacktestSpec spec)
    {
        using var reader = new ReplayReader(Selection(spec));
        long rows = 0;
        foreach (var path in reader.SegmentPaths)
        {
            using var r = SegmentReader.Open(path);
            foreach (var b in r.Blocks) rows += b.Rows;
        }
        return rows;
    }

    /// <summary>The latency model a spec asks for: fixed, drawn from an .hgrm file, or from the recording's own delays.</summary>
    public static LatencyModel Latency(BacktestSpec spec, string exchange)
    {
        if (spec.LatencyHgrm is { } hgrm) return LatencyModel.FromHgrm(hgrm, spec.LatencyHgrmUnitNs, spec.LatencySeed);
        if (!spec.LatencyFromRecording) return LatencyModel.Fixed(spec.EntryLatencyNs, spec.CancelLatencyNs);
        var samples = new List<long>();
        string folder = Path.Combine(spec.Root, exchange, spec.Symbol, "trades");
        foreach (var file in Directory.Exists(folder) ? Directory.GetFiles(folder, "*.tks").Order().ToArray() : [])
        {
            using var c = new SegmentCursor(SegmentReader.Open(file));
            while (samples.Count < 1_000_000 && c.MoveNext())
                if ((c[TradeColumns.Flags] & (long)RowFlags.ReceiveTimeUnknown) == 0) samples.Add(c[1] - c[0]);
        }
        if (samples.Count == 0) throw new ArgumentException($"{folder}: no trades with receive times to draw latencies from");
        return LatencyModel.Drawn(samples, spec.LatencySeed, $"{exchange}/{spec.Symbol} receive - exchange times");
    }

    /// <summary>A strategy that sees nothing before <paramref name="startNs"/> (the book is built, no order is sent).</summary>
    private sealed class HeldUntil(IStrategy inner, long startNs) : IStrategy
    {
        public string Name => inner.Name;
        public void OnBook(StrategyContext ctx, Book.OrderBook book) { if (ctx.Exchange.Now >= startNs) inner.OnBook(ctx, book); }
        public void OnTrade(StrategyContext ctx, in MarketEvent trade) { if (trade.ExchangeTime >= startNs) inner.OnTrade(ctx, trade); }
        public void OnFill(StrategyContext ctx, in Fill fill) => inner.OnFill(ctx, fill);
    }
}
