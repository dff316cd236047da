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

    public static (Backtest Backtest, long Events, int Damaged) Run(BacktestSpec spec, CancellationToken cancel = default, Action<long>? progress = null,
        Action<Fill, Portfolio>? ledger = null, Action<BacktestLeg, Fill>? legLedger = null)
    {
        var registry = new InstrumentRegistry();
        var legs = new List<LegSpec>();
        var files = new List<string>();
        StrategyInstrument? first = null;
        string firstExchange = "";
        var instruments = new List<BacktestSpec> { spec };
        foreach (var (ex, sym) in spec.Legs) instruments.Add(spec with { Exchange = ex, Symbol = sym, Legs = [] });
        foreach (var one in instruments)
        {
            var (exchange, ps, qs, sampleDepth) = Source(one);
            var money = new MoneyScale(ps, qs);
            var rules = Rules(one, exchange, ps, qs, cancel);
            var clock = Clock(one, exchange, cancel);
            var sim = new ExecutionSimulator(money, Research.QueueModel.Parse(spec.QueueModel), Latency(one, exchange, clock), spec.Fees ?? FeeSchedule.DefaultFor(exchange))
            {
                KeepHistory = false,
                DeliverFills = true,
                Rules = rules,
            };
            var selection = Selection(one) with { Exchanges = [exchange] };
            if (sampleDepth > 0) selection = selection with { Schemas = new HashSet<SchemaKind> { SchemaKind.L2, SchemaKind.Trades, SchemaKind.Status } };
            using (var r = new ReplayReader(selection)) files.AddRange(r.SegmentPaths);
            var inst = registry.GetOrAdd(exchange, one.Symbol, ps, qs);
            if (legs.Any(l => l.InstrumentId == inst.Id)) throw new ArgumentException($"{exchange}/{one.Symbol} is given twice");
            legs.Add(new LegSpec(inst.Id, $"{exchange}/{one.Symbol}", sim, clock, sampleDepth > 0 ? new L2SampleBook(sampleDepth) : null));
            if (first is null) { first = new StrategyInstrument(ps, qs, rules); firstExchange = exchange; }
        }
        var kind = StrategyRegistry.Find(spec.Strategy) ?? throw new ArgumentException($"strategy '{spec.Strategy}' is not one of {string.Join(", ", StrategyRegistry.Names)}");
        if (kind.Instruments != legs.Count)
            throw new ArgumentException($"strategy {spec.Strategy} trades {kind.Instruments} instrument{(kind.Instruments == 1 ? "" : "s")}; {legs.Count} given ({string.Join(", ", legs.Select(l => l.Market))})");
        var strategy = StrategyRegistry.Create(spec.Strategy, spec.Parameters, first!);
        // The files each instrument's book comes from (deltas, or L2 samples), its trades and markers, merged.
        using var reader = new ReplayReader(Selection(spec) with
        {
            Files = files, Exchanges = null, Symbols = null,
            Schemas = new HashSet<SchemaKind> { SchemaKind.Deltas, SchemaKind.L2, SchemaKind.Trades, SchemaKind.Status },
        });
        using var recorder = spec.RecordDir is { } dir ? new Recording.ResearchRecorder(dir, firstExchange, spec.Symbol, legs[0].Exchange.Money, spec.RecordEveryNs) : null;
        var backtest = new Backtest(legs, spec.StartNs == long.MinValue ? strategy : new HeldUntil(strategy, spec.StartNs), spec.SampleNs, spec.StartNs)
        {
            Ledger = ledger,
            LegLedger = legLedger,
            Recorder = recorder,
        };
        var outcome = ReplayToRing.Run(reader, registry, backtest, ringSize: 1 << 16, cancel: cancel, progress: progress);
        if (outcome.Stopped is { } stopped) throw stopped;
        return (backtest, outcome.Events, reader.Damage.Count);
    }

    /// <summary>The strategy with its parameters at the scales alone (checks parameters before any data is read).</summary>
    public static IStrategy CreateStrategy(string name, IReadOnlyDictionary<string, string> parameters, int priceScale, int quantityScale) =>
        StrategyRegistry.Create(name, parameters, StrategyInstrument.Of(priceScale, quantityScale));

    /// <summary>The segments of one stored stream of the spec's instrument, in order.</summary>
    private static IReadOnlyList<string> Segments(BacktestSpec spec, string exchange, SchemaKind schema)
    {
        using var reader = new ReplayReader(Selection(spec) with { Exchanges = [exchange], Schemas = new HashSet<SchemaKind> { schema } });
        return reader.SegmentPaths.ToList();
    }

    /// <summary>
    /// When the strategy hears of events (<see cref="BacktestSpec.FeedDelay"/>): the offset estimated from the
    /// instrument's deltas (or L2 samples) and trades, none, or a given offset in ms.
    /// </summary>
    public static FeedClock Clock(BacktestSpec spec, string exchange, CancellationToken cancel = default)
    {
        string mode = spec.FeedDelay.Trim().ToLowerInvariant();
        if (mode == "none") return FeedClock.None;
        if (mode != "estimate")
        {
            if (decimal.TryParse(mode, System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out var ms) && Math.Abs(ms) < 86_400_000m)
                return FeedClock.Given((long)(ms * 1_000_000m));
            throw new ArgumentException($"--feed-delay {spec.FeedDelay}: give estimate, none, or the receive clock's offset from the exchange's in ms (e.g. -1270.5)");
        }
        var book = Segments(spec, exchange, SchemaKind.Deltas);
        var streams = new List<(string, IReadOnlyList<string>)> { (book.Count > 0 ? "deltas" : "L2 samples", book.Count > 0 ? book : Segments(spec, exchange, SchemaKind.L2)), ("trades", Segments(spec, exchange, SchemaKind.Trades)) };
        return FeedClock.Estimate(streams, cancel) ?? FeedClock.None;
    }

    /// <summary>
    /// The instrument's tick and lot: as given (<see cref="BacktestSpec.Tick"/>, <see cref="BacktestSpec.Lot"/>), else
    /// inferred from the data: the greatest common divisor of the prices and of the non-zero quantities of its book
    /// and trades (the first <see cref="RulesRows"/> rows of each), which is the exchange's grid or a multiple of it.
    /// </summary>
    public static InstrumentRules Rules(BacktestSpec spec, string exchange, int priceScale, int quantityScale, CancellationToken cancel = default)
    {
        long? tick = spec.Tick is null ? null : Mantissa("--tick", spec.Tick, priceScale);
        long? lot = spec.Lot is null ? null : Mantissa("--lot", spec.Lot, quantityScale);
        long pg = 0, qg = 0, rows = 0;
        if (tick is null || lot is null) (pg, qg, rows) = InferGrid(Selection(spec) with { Exchanges = [exchange] }, priceScale, quantityScale, cancel);
        string inferred = $"inferred: the common divisor of {rows:N0} stored prices and quantities";
        string source = (tick, lot) switch
        {
            (not null, not null) => "given",
            (not null, null) => $"tick given, lot {inferred}",
            (null, not null) => $"lot given, tick {inferred}",
            _ => inferred,
        };
        return new InstrumentRules(tick ?? Math.Max(1, pg), lot ?? Math.Max(1, qg), source, spec.OffGrid);
    }

    /// <summary>
    /// The instrument's grid as its data shows it: the common divisor of the prices and of the quantities of its
    /// stored deltas and trades (the first <see cref="RulesRows"/> rows of each schema), at the given scales; and how
    /// many rows were read. 0 where nothing was read.
    /// </summary>
    public static (long Tick, long Lot, long Rows) InferGrid(ReplaySelection selection, int priceScale, int quantityScale, CancellationToken cancel = default)
    {
        long pg = 0, qg = 0, rows = 0;
        foreach (var (schema, pc, qc) in new[] { (SchemaKind.Deltas, DeltaColumns.Price, DeltaColumns.Quantity), (SchemaKind.Trades, TradeColumns.Price, TradeColumns.Quantity) })
        {
            long taken = 0;
            using (var reader = new ReplayReader(selection with { Schemas = new HashSet<SchemaKind> { schema } }))
                foreach (var path in reader.SegmentPaths)
                {
                    if (taken >= RulesRows) break;
                    try
                    {
                        using var c = new SegmentCursor(SegmentReader.Open(path));
                        // A segment written at smaller scales (before the instrument moved to larger ones) is raised to the given ones.
                        long pf = Pow10(priceScale - c.Reader.Schema.Columns[pc].Scale), qf = Pow10(quantityScale - c.Reader.Schema.Columns[qc].Scale);
                        while (taken < RulesRows && c.MoveNext())
                        {
                            if ((++taken & 0xFFFF) == 0 && cancel.IsCancellationRequested) break;
                            long p = c[pc] * pf, q = c[qc] * qf;
                            if (p > 0) pg = InstrumentRules.Gcd(pg, p);
                            if (q > 0) qg = InstrumentRules.Gcd(qg, q);
                        }
                    }
                    catch (StorageFormatException) { }
                }
            rows += taken;
        }
        return (pg, qg, rows);
    }

    private static long Pow10(int n)
    {
        long f = 1;
        for (int i = 0; i < n; i++) f *= 10;
        return f;
    }

    /// <summary>
    /// The spec with its instrument's feed clock offset and grid resolved once (a search runs many backtests of the
    /// same data: each would estimate them again). A spec of several instruments is returned as it is (each has its own).
    /// </summary>
    public static BacktestSpec Resolve(BacktestSpec spec, CancellationToken cancel = default)
    {
        if (spec.Legs.Count > 0) return spec;
        var (exchange, ps, qs, _) = Source(spec);
        var rules = Rules(spec, exchange, ps, qs, cancel);
        var clock = Clock(spec, exchange, cancel);
        return spec with
        {
            Exchange = exchange,
            Tick = TickEngine.Storage.Numerics.FixedDecimal.ToString(rules.Tick, ps),
            Lot = TickEngine.Storage.Numerics.FixedDecimal.ToString(rules.Lot, qs),
            FeedDelay = clock.Charged ? ((decimal)clock.OffsetNs / 1_000_000m).ToString(System.Globalization.CultureInfo.InvariantCulture) : "none",
        };
    }

    /// <summary>Rows read per stream to infer the grid.</summary>
    public const int RulesRows = 2_000_000;

    private static long Mantissa(string option, string text, int scale)
    {
        if (!TickEngine.Storage.Numerics.FixedDecimal.TryParse(text.AsSpan(), scale, out long m, out var error))
            throw new ArgumentException($"{option} {text}: {TickEngine.Storage.Numerics.FixedDecimal.Describe(error, text, scale)}");
        if (m <= 0) throw new ArgumentException($"{option} {text}: must be above 0");
        return m;
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

    /// <summary>
    /// The latency model a spec asks for: fixed, drawn from an .hgrm file, or from the recording's own one-way delays
    /// (receive − exchange times of the instrument's trades above the feed clock's offset: the delays the estimate
    /// charges, as a stand-in for the way back).
    /// </summary>
    public static LatencyModel Latency(BacktestSpec spec, string exchange, FeedClock? clock = null)
    {
        if (spec.LatencyHgrm is { } hgrm) return LatencyModel.FromHgrm(hgrm, spec.LatencyHgrmUnitNs, spec.LatencySeed);
        if (!spec.LatencyFromRecording) return LatencyModel.Fixed(spec.EntryLatencyNs, spec.CancelLatencyNs);
        var samples = new List<long>();
        foreach (var file in Segments(spec, exchange, SchemaKind.Trades))
        {
            using var c = new SegmentCursor(SegmentReader.Open(file));
            while (samples.Count < 1_000_000 && c.MoveNext())
                if ((c[TradeColumns.Flags] & (long)(RowFlags.ReceiveTimeUnknown | RowFlags.ExchangeTimeUnknown)) == 0) samples.Add(c[1] - c[0]);
        }
        if (samples.Count == 0) throw new ArgumentException($"{exchange}/{spec.Symbol}: no trades with receive and exchange times to draw latencies from");
        long offset = clock is { Charged: true } ? clock.OffsetNs : samples.Min();
        for (int i = 0; i < samples.Count; i++) samples[i] = Math.Max(0, samples[i] - offset);
        return LatencyModel.Drawn(samples, spec.LatencySeed, $"{exchange}/{spec.Symbol} trades' receive − exchange times above the {offset / 1e6:0.###} ms clock offset");
    }

    /// <summary>A strategy that sees nothing before <paramref name="startNs"/> (the book is built, no order is sent).</summary>
    private sealed class HeldUntil(IStrategy inner, long startNs) : IStrategy
    {
        public string Name => inner.Name;
        public void OnBook(StrategyContext ctx, Book.OrderBook book) { if (ctx.ExchangeNowNs >= startNs) inner.OnBook(ctx, book); }
        public void OnTrade(StrategyContext ctx, in MarketEvent trade) { if (trade.ExchangeTime >= startNs) inner.OnTrade(ctx, trade); }
        public void OnFill(StrategyContext ctx, in Fill fill) => inner.OnFill(ctx, fill);
    }
}
