using TickEngine.Engine.Events;
using TickEngine.Engine.Ring;
using TickEngine.Storage.Format;

namespace TickEngine.Engine.Research;

/// <summary>
/// A backtest on the ring, on two clocks. The events arrive in exchange-time order; the simulated exchange acts on
/// each at its exchange time (it keeps the true book and fills orders), and the strategy sees each at its receive
/// time brought onto the exchange's clock (<see cref="FeedClock"/>): in receive-time order, with a book of its own
/// rebuilt from what it has received, so no decision ever sees an event before it was received. Both are one
/// sequence of steps in time order (a heap; an exchange step before a strategy step at the same instant), released
/// once no later event can come before them. Orders act at the strategy's time + the entry latency; fills reach
/// the strategy at its next step after the exchange made them. Fills update the <see cref="Portfolio"/> (exact
/// PnL); the portfolio is marked to the true mid after every whole message. Memory is bounded whatever the length
/// of the run: equity is kept once per <see cref="SampleNs"/> of exchange time (one minute by default, 44,640
/// points a month), per-day PnL per day, fills for the chart thinned to at most <see cref="MaxFillsKept"/> (every
/// fill still counts in every figure), and the heap holds only the events of one feed delay. One thread (the handler's).
/// <para>
/// Several instruments (<see cref="Legs"/>: two venues' books of one asset, say) run on the same two clocks: each
/// venue's exchange acts at its own exchange time, brought onto the recorder's clock by its own feed offset, and the
/// strategy hears of every instrument's events in one receive-time order. Each instrument keeps its own portfolio at
/// its own scales; the figures (equity, PnL, fees) are their exact sum at the largest scales among them.
/// </para>
/// </summary>
public sealed class Backtest : IValueEventHandler<MarketEvent>
{
    public const int MaxFillsKept = 20_000;

    private readonly IStrategy _strategy;
    private readonly BacktestLeg[] _legs;
    private readonly Dictionary<int, BacktestLeg> _byInstrument = new();
    private readonly long _minOffset;
    private readonly List<Fill> _fillsKept = new();
    private int _fillStride = 1;
    private long _fillCount;
    private long _nextSample = long.MinValue;
    private Int128 _peak;
    private bool _started;
    private Int128 _dayStartEquity;
    private long _day = long.MinValue;
    private readonly long _from;
    private readonly PriorityQueue<Step, StepKey> _steps = new(1024);
    private long _seq;
    private bool _finished;
    private readonly Router[] _routers;

    /// <summary>One step: an exchange acting on an event, or the strategy receiving it.</summary>
    private readonly record struct Step(MarketEvent Event, bool Exchange, int Leg);

    private readonly record struct StepKey(long Time, bool Strategy, long Seq) : IComparable<StepKey>
    {
        public int CompareTo(StepKey other)
        {
            int c = Time.CompareTo(other.Time);
            if (c != 0) return c;
            c = Strategy.CompareTo(other.Strategy); // the exchange acts before the strategy hears of it
            return c != 0 ? c : Seq.CompareTo(other.Seq);
        }
    }

    /// <summary>Takes one leg's events (after its L2 sample book, when it has one).</summary>
    private sealed class Router(Backtest owner, BacktestLeg leg) : L2SampleBook.ISink
    {
        public void Handle(in MarketEvent e) => owner.Handle(leg, e);
    }

    /// <param name="fromNs">Figures (equity points, days) start here; events before it only build the book.</param>
    public Backtest(int instrumentId, ExecutionSimulator exchange, IStrategy strategy, long sampleNs = 60_000_000_000, long fromNs = long.MinValue, FeedClock? clock = null,
        L2SampleBook? sampleBook = null)
        : this([new LegSpec(instrumentId, "", exchange, clock, sampleBook)], strategy, sampleNs, fromNs)
    {
    }

    /// <summary>A backtest of one strategy over several instruments (<paramref name="legs"/>, the first is the main one).</summary>
    public Backtest(IReadOnlyList<LegSpec> legs, IStrategy strategy, long sampleNs = 60_000_000_000, long fromNs = long.MinValue)
    {
        if (legs.Count == 0) throw new ArgumentException("a backtest needs an instrument", nameof(legs));
        _from = fromNs;
        _strategy = strategy;
        SampleNs = sampleNs;
        _legs = legs.Select((l, i) => new BacktestLeg(i, l.InstrumentId, l.Market, l.Exchange, l.Clock ?? FeedClock.None, l.SampleBook)).ToArray();
        foreach (var l in _legs)
        {
            if (!l.Exchange.DeliverFills) throw new ArgumentException("a backtest takes its fills as delivered events: give it exchanges made with DeliverFills", nameof(legs));
            if (!_byInstrument.TryAdd(l.InstrumentId, l)) throw new ArgumentException($"instrument {l.InstrumentId} given twice", nameof(legs));
        }
        var contexts = _legs.Select(l => l.Context).ToArray();
        foreach (var l in _legs) l.Context.Legs = contexts;
        _routers = _legs.Select(l => new Router(this, l)).ToArray();
        _minOffset = _legs.Min(l => l.Clock.OffsetNs);
        Money = new MoneyScale(_legs.Max(l => l.Exchange.Money.PriceScale), _legs.Max(l => l.Exchange.Money.QuantityScale));
    }

    /// <summary>The instruments, in order.</summary>
    public IReadOnlyList<BacktestLeg> Legs => _legs;
    /// <summary>The first instrument's exchange, clock, book, portfolio and context (a single-instrument backtest's).</summary>
    public ExecutionSimulator Exchange => _legs[0].Exchange;
    public FeedClock Clock => _legs[0].Clock;
    public Book.BookRebuilder LocalBook => _legs[0].LocalBook;
    public Portfolio Portfolio => _legs[0].Portfolio;
    public StrategyContext Context => _legs[0].Context;
    public L2SampleBook? SampleBook => _legs[0].SampleBook;
    /// <summary>The scales of the figures: the largest price and quantity scales among the instruments (one instrument: its own).</summary>
    public MoneyScale Money { get; }

    /// <summary>Market snapshots and order events written for notebooks (hourly Parquet), when set (the first instrument's).</summary>
    public Recording.ResearchRecorder? Recorder
    {
        get => _recorder;
        init { _recorder = value; _legs[0].Context.Recorder = value; }
    }
    private readonly Recording.ResearchRecorder? _recorder;

    /// <summary>Called at every strategy step with the event's receive-clock time and the event (tests: causality).</summary>
    public Action<long, MarketEvent>? OnStrategyStep { get; init; }
    public long SampleNs { get; }
    public List<EquityPoint> Equity { get; } = new();
    public List<(long Day, Int128 Pnl)> Days { get; } = new();
    public IReadOnlyList<Fill> FillsKept => _fillsKept;
    public long Events { get; private set; }
    public long FirstNs { get; private set; } = long.MaxValue;
    public long LastNs { get; private set; } = long.MinValue;
    public Int128 MaxDrawdown { get; private set; }

    /// <summary>Called after every fill with the instrument's portfolio as it then stands (a per-fill ledger streamed to a file).</summary>
    public Action<Fill, Portfolio>? Ledger { get; init; }
    /// <summary>As <see cref="Ledger"/>, with the instrument the fill is of.</summary>
    public Action<BacktestLeg, Fill>? LegLedger { get; init; }

    // ---- the figures, summed over the instruments at Money's scales (exact) ----

    private Int128 Up(Int128 amount, MoneyScale from) => amount * Pow10(Money.Scale - from.Scale);
    private long UpQty(long q, MoneyScale from) => q * (long)Pow10(Money.QuantityScale - from.QuantityScale);
    private static Int128 Pow10(int n) { Int128 v = 1; for (int i = 0; i < n; i++) v *= 10; return v; }
    private Int128 Sum(Func<Portfolio, Int128> f) { Int128 s = 0; foreach (var l in _legs) s += Up(f(l.Portfolio), l.Portfolio.Money); return s; }
    private long SumQty(Func<BacktestLeg, long> f) { long s = 0; foreach (var l in _legs) s += UpQty(f(l), l.Portfolio.Money); return s; }

    /// <summary>realized + unrealized − fees of every instrument (exact).</summary>
    public Int128 TotalEquity => _legs.Length == 1 ? _legs[0].Portfolio.Equity : Sum(p => p.Equity);
    public Int128 TotalRealized => Sum(p => p.Realized);
    public Int128 TotalUnrealized => Sum(p => p.Unrealized);
    public Int128 TotalFees => Sum(p => p.Fees);
    public Int128 TotalMakerFees => Sum(p => p.MakerFees);
    public Int128 TotalTakerFees => Sum(p => p.TakerFees);
    public Int128 TotalTurnover => Sum(p => p.Turnover);
    public long TotalFills => _legs.Sum(l => l.Portfolio.Fills);
    public long TotalMakerFills => _legs.Sum(l => l.Portfolio.MakerFills);
    /// <summary>The signed positions summed (at the largest quantity scale): the net exposure to the asset the instruments share.</summary>
    public long NetPosition => SumQty(l => l.Portfolio.Position);
    public long ClosingFills => _legs.Sum(l => l.ClosingFills);
    public long WinningCloses => _legs.Sum(l => l.WinningCloses);
    public long MakerQuantity => SumQty(l => l.MakerQuantity);
    public long TakerQuantity => SumQty(l => l.TakerQuantity);
    public long MaxAbsPosition => _legs.Length == 1 ? _legs[0].MaxAbsPosition : _legs.Max(l => UpQty(l.MaxAbsPosition, l.Portfolio.Money));
    public Int128 PositionTime { get { Int128 s = 0; foreach (var l in _legs) s += l.PositionTime * (long)Pow10(Money.QuantityScale - l.Portfolio.Money.QuantityScale); return s; } }
    public long OrdersSent => _legs.Sum(l => l.Context.OrdersSent);
    public long QuantitySent => SumQty(l => l.Context.QuantitySent);
    public long OrdersSnapped => _legs.Sum(l => l.Exchange.OrdersSnapped);
    public long OrdersRejected => _legs.Sum(l => l.Exchange.OrdersRejected);

    public void OnEvent(ref MarketEvent e, long sequence, bool endOfBatch)
    {
        if (_byInstrument.TryGetValue(e.InstrumentId, out var leg)) L2SampleBook.Route(leg.SampleBook, e, _routers[leg.Index]);
    }

    private void Handle(BacktestLeg leg, in MarketEvent e)
    {
        var clock = leg.Clock;
        long x = e.ExchangeTime;
        long exchangeStep = x + clock.OffsetNs, strategyStep = exchangeStep;
        if (clock.Charged)
        {
            if ((e.Flags & (long)RowFlags.ReceiveTimeUnknown) != 0 || e.ReceiveTime == 0) clock.NoReceiveTime++;
            else if (e.ReceiveTime < exchangeStep) clock.BelowOffset++;
            else strategyStep = e.ReceiveTime;
            // One stream's events reach the strategy in their stored order (a book applies its changes in sequence).
            int stream = e.Kind == EventKind.Trade ? 1 : e.Kind == EventKind.Status ? 2 : 0;
            strategyStep = Math.Max(strategyStep, leg.LastLocal[stream]);
            leg.LastLocal[stream] = strategyStep;
            clock.Charges.Record(strategyStep - exchangeStep);
        }
        long seq = _seq++;
        _steps.Enqueue(new Step(e, true, leg.Index), new StepKey(exchangeStep, false, seq));
        _steps.Enqueue(new Step(e, false, leg.Index), new StepKey(strategyStep, true, seq));
        // Events come in exchange-time order: every later one, of any instrument, is at or after x on the recorder's
        // clock less the largest lead of any venue's clock, so every step before that is final.
        Release(x + _minOffset);
    }

    /// <summary>Runs every step due before <paramref name="until"/> (receive-clock ns), in time order.</summary>
    private void Release(long until)
    {
        while (_steps.TryPeek(out var step, out var key) && key.Time < until)
        {
            _steps.Dequeue();
            if (step.Exchange) ExchangeStep(_legs[step.Leg], step.Event);
            else StrategyStep(_legs[step.Leg], step.Event, key.Time);
        }
    }

    private void ExchangeStep(BacktestLeg leg, in MarketEvent e)
    {
        Events++;
        long t = e.ExchangeTime;
        var p = leg.Portfolio;
        if (leg.LastTime != long.MinValue && t > leg.LastTime) leg.PositionTime += (Int128)Math.Abs(p.Position) * (t - leg.LastTime);
        leg.LastTime = Math.Max(leg.LastTime, t);
        if (leg.Index == 0)
        {
            if (t >= _from) FirstNs = Math.Min(FirstNs, t);
            LastNs = Math.Max(LastNs, t);
            Sample(t);
        }
        leg.Exchange.OnEvent(e);
        var rebuilt = leg.Exchange.Book;
        if (e.Kind == EventKind.BookDelta && rebuilt.Valid && rebuilt.Consistent &&
            rebuilt.Book.TryBestBid(out long bid, out _) && rebuilt.Book.TryBestAsk(out long ask, out _))
        {
            p.Mark(bid, ask);
            Track();
        }
    }

    private void StrategyStep(BacktestLeg leg, in MarketEvent e, long receiveNs)
    {
        // Every venue acts up to this instant on its own clock, and the fills it made are heard now.
        foreach (var l in _legs)
        {
            var c = l.Context;
            c.NowNs = receiveNs;
            c.ExchangeNowNs = receiveNs - l.Clock.OffsetNs;
            c.EventExchangeNs = l == leg ? e.ExchangeTime : c.ExchangeNowNs;
            l.Exchange.Act(c.ExchangeNowNs); // orders that reached the exchange by now are in (and their fills made)
        }
        foreach (var l in _legs) DeliverFills(l);
        var ctx = leg.Context;
        OnStrategyStep?.Invoke(receiveNs, e);
        if (e.Kind is EventKind.BookDelta or EventKind.Status) leg.LocalBook.Apply(e);
        bool whole = leg.LocalBook.Valid && leg.LocalBook.Consistent; // what the strategy knows, never the exchange's state ahead of it
        ctx.BeginStep();
        if (whole && leg.Index == 0 && _recorder is not null && (e.Flags & (long)RowFlags.LastInMessage) != 0) _recorder.Step(ctx, leg.LocalBook.Book, leg.Exchange.LiveOrders);
        if (e.Kind == EventKind.Trade) { if (whole) _strategy.OnTrade(ctx, e); return; }
        if (e.Kind != EventKind.BookDelta || !whole) return;
        _strategy.OnBook(ctx, leg.LocalBook.Book);
    }

    /// <summary>An instrument's fills since the last look, in order, after its exchange has acted (the strategy may answer them with orders).</summary>
    private void DeliverFills(BacktestLeg leg)
    {
        while (leg.Exchange.TryTakeFill(out var f)) OnFill(leg, f);
    }

    private void OnFill(BacktestLeg leg, Fill f)
    {
        var p = leg.Portfolio;
        long before = p.Position;
        Int128 realized = p.Realized;
        p.Apply(f);
        Ledger?.Invoke(f, p);
        LegLedger?.Invoke(leg, f);
        if (Math.Abs(p.Position) < Math.Abs(before) || Math.Sign(p.Position) != Math.Sign(before) && before != 0)
        {
            leg.ClosingFills++;
            if (p.Realized > realized) leg.WinningCloses++;
        }
        if (f.Maker) leg.MakerQuantity += f.Quantity; else leg.TakerQuantity += f.Quantity;
        leg.MaxAbsPosition = Math.Max(leg.MaxAbsPosition, Math.Abs(p.Position));
        if (leg.Index == 0 && _fillCount++ % _fillStride == 0)
        {
            _fillsKept.Add(f);
            if (_fillsKept.Count >= MaxFillsKept)
            {
                // Thin deterministically: keep every other one, and from now on every 2x-th.
                for (int i = 0; i < _fillsKept.Count / 2; i++) _fillsKept[i] = _fillsKept[i * 2];
                _fillsKept.RemoveRange(_fillsKept.Count / 2, _fillsKept.Count - _fillsKept.Count / 2);
                _fillStride *= 2;
            }
        }
        Track();
        if (_recorder is not null && leg.Index == 0)
        {
            var b = leg.Exchange.Book.Book;
            _recorder.Filled(leg.Context, f, b.TryBestBid(out long bid, out _) ? bid : 0, b.TryBestAsk(out long ask, out _) ? ask : 0);
        }
        leg.Context.BeginStep();
        _strategy.OnFill(leg.Context, f);
    }

    private void Track()
    {
        Int128 equity = TotalEquity;
        if (!_started || equity > _peak) { _peak = equity; _started = true; }
        if (_peak - equity > MaxDrawdown) MaxDrawdown = _peak - equity;
    }

    private void Sample(long t)
    {
        if (t < _from) return;
        const long DayNs = 86_400_000_000_000;
        long day = Math.DivRem(t, DayNs, out long rem) - (rem < 0 ? 1 : 0);
        if (_day == long.MinValue) { _day = day; _dayStartEquity = TotalEquity; }
        while (day > _day)
        {
            Int128 equity = TotalEquity;
            Days.Add((_day, equity - _dayStartEquity));
            _dayStartEquity = equity;
            _day++;
        }
        if (_nextSample == long.MinValue) _nextSample = (t / SampleNs) * SampleNs;
        while (_nextSample <= t)
        {
            Int128 equity = TotalEquity;
            var p = _legs[0].Portfolio;
            Equity.Add(new EquityPoint(_nextSample, equity, _peak - equity, _legs.Length == 1 ? p.Position : NetPosition, p.LastBid, p.LastAsk));
            _nextSample += SampleNs;
        }
    }

    public void OnShutdown() => Finish();

    /// <summary>Closes the books of the run: every step still waiting, what is due, the last equity point, the last day.</summary>
    public void Finish()
    {
        if (LastNs == long.MinValue && _steps.Count == 0 || _finished) return;
        _finished = true;
        Release(long.MaxValue);
        foreach (var l in _legs) l.Exchange.Act(l.LastTime == long.MinValue ? LastNs : Math.Max(LastNs, l.LastTime));
        foreach (var l in _legs) DeliverFills(l);
        Int128 equity = TotalEquity;
        var p = _legs[0].Portfolio;
        Equity.Add(new EquityPoint(LastNs, equity, _peak - equity, _legs.Length == 1 ? p.Position : NetPosition, p.LastBid, p.LastAsk));
        if (_day != long.MinValue) Days.Add((_day, equity - _dayStartEquity));
    }
}
