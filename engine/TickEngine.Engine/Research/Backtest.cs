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
/// </summary>
public sealed class Backtest : IValueEventHandler<MarketEvent>, L2SampleBook.ISink
{
    public const int MaxFillsKept = 20_000;

    private readonly int _instrumentId;
    private readonly IStrategy _strategy;
    private readonly List<Fill> _fillsKept = new();
    private int _fillStride = 1;
    private long _fillCount;
    private long _nextSample = long.MinValue;
    private Int128 _peak;
    private bool _started;
    private long _lastTime = long.MinValue;
    private Int128 _dayStartEquity;
    private long _day = long.MinValue;
    private readonly long _from;
    private readonly PriorityQueue<Step, StepKey> _steps = new(1024);
    private long _seq;
    private readonly long[] _lastLocal = [long.MinValue, long.MinValue, long.MinValue]; // per stream: deltas, trades, status
    private long _lastSeen = long.MinValue;

    /// <summary>One step: the exchange acting on an event, or the strategy receiving it.</summary>
    private readonly record struct Step(MarketEvent Event, bool Exchange);

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

    /// <param name="fromNs">Figures (equity points, days) start here; events before it only build the book.</param>
    public Backtest(int instrumentId, ExecutionSimulator exchange, IStrategy strategy, long sampleNs = 60_000_000_000, long fromNs = long.MinValue, FeedClock? clock = null)
    {
        Clock = clock ?? FeedClock.None;
        _from = fromNs;
        _instrumentId = instrumentId;
        _strategy = strategy;
        Exchange = exchange;
        SampleNs = sampleNs;
        Portfolio = new Portfolio(exchange.Money);
        Context = new StrategyContext(exchange, Portfolio);
        if (!exchange.DeliverFills) throw new ArgumentException("a backtest takes its fills as delivered events: give it an exchange made with DeliverFills", nameof(exchange));
    }

    public ExecutionSimulator Exchange { get; }
    /// <summary>When the strategy hears of an event (the feed delay charged).</summary>
    public FeedClock Clock { get; }
    /// <summary>The strategy's own book: rebuilt from the events in the order it received them.</summary>
    public Book.BookRebuilder LocalBook { get; } = new();
    /// <summary>Market snapshots and order events written for notebooks (hourly Parquet), when set.</summary>
    public Recording.ResearchRecorder? Recorder
    {
        get => _recorder;
        init { _recorder = value; Context.Recorder = value; }
    }
    private readonly Recording.ResearchRecorder? _recorder;

    /// <summary>Called at every strategy step with the event's receive-clock time and the event (tests: causality).</summary>
    public Action<long, MarketEvent>? OnStrategyStep { get; init; }
    public Portfolio Portfolio { get; }
    public StrategyContext Context { get; }
    public long SampleNs { get; }
    public List<EquityPoint> Equity { get; } = new();
    public List<(long Day, Int128 Pnl)> Days { get; } = new();
    public IReadOnlyList<Fill> FillsKept => _fillsKept;
    public long Events { get; private set; }
    public long FirstNs { get; private set; } = long.MaxValue;
    public long LastNs { get; private set; } = long.MinValue;
    public Int128 MaxDrawdown { get; private set; }
    /// <summary>Fills that reduced the position, and those of them that realized a gain.</summary>
    public long ClosingFills { get; private set; }
    public long WinningCloses { get; private set; }
    public long MakerQuantity { get; private set; }
    public long TakerQuantity { get; private set; }
    public long MaxAbsPosition { get; private set; }
    /// <summary>Sum of |position| x ns held (for the time-weighted mean inventory).</summary>
    public Int128 PositionTime { get; private set; }

    /// <summary>Called after every fill with the portfolio as it then stands (a per-fill ledger streamed to a file).</summary>
    public Action<Fill, Portfolio>? Ledger { get; init; }

    /// <summary>When the data has no deltas: the book from L2 samples (top N), flagged in the report.</summary>
    public L2SampleBook? SampleBook { get; init; }

    public void OnEvent(ref MarketEvent e, long sequence, bool endOfBatch)
    {
        if (e.InstrumentId == _instrumentId) L2SampleBook.Route(SampleBook, e, this);
    }

    void L2SampleBook.ISink.Handle(in MarketEvent e) => Handle(e);

    private void Handle(in MarketEvent e)
    {
        long x = e.ExchangeTime;
        long exchangeStep = x + Clock.OffsetNs, strategyStep = exchangeStep;
        if (Clock.Charged)
        {
            if ((e.Flags & (long)RowFlags.ReceiveTimeUnknown) != 0 || e.ReceiveTime == 0) Clock.NoReceiveTime++;
            else if (e.ReceiveTime < exchangeStep) Clock.BelowOffset++;
            else strategyStep = e.ReceiveTime;
            // One stream's events reach the strategy in their stored order (a book applies its changes in sequence).
            int stream = e.Kind == EventKind.Trade ? 1 : e.Kind == EventKind.Status ? 2 : 0;
            strategyStep = Math.Max(strategyStep, _lastLocal[stream]);
            _lastLocal[stream] = strategyStep;
            long charged = strategyStep - exchangeStep;
            Clock.Charges.Record(charged);
        }
        long seq = _seq++;
        _steps.Enqueue(new Step(e, true), new StepKey(exchangeStep, false, seq));
        _steps.Enqueue(new Step(e, false), new StepKey(strategyStep, true, seq));
        // Every later event is at or after this exchange time, so every step before it is final.
        Release(exchangeStep);
    }

    /// <summary>Runs every step due before <paramref name="until"/> (receive-clock ns), in time order.</summary>
    private void Release(long until)
    {
        while (_steps.TryPeek(out var step, out var key) && key.Time < until)
        {
            _steps.Dequeue();
            if (step.Exchange) ExchangeStep(step.Event);
            else StrategyStep(step.Event, key.Time);
        }
    }

    private void ExchangeStep(in MarketEvent e)
    {
        Events++;
        long t = e.ExchangeTime;
        if (_lastTime != long.MinValue && t > _lastTime) PositionTime += (Int128)Math.Abs(Portfolio.Position) * (t - _lastTime);
        _lastTime = Math.Max(_lastTime, t);
        if (t >= _from) FirstNs = Math.Min(FirstNs, t);
        LastNs = Math.Max(LastNs, t);
        Sample(t);
        Exchange.OnEvent(e);
        var rebuilt = Exchange.Book;
        if (e.Kind == EventKind.BookDelta && rebuilt.Valid && rebuilt.Consistent &&
            rebuilt.Book.TryBestBid(out long bid, out _) && rebuilt.Book.TryBestAsk(out long ask, out _))
        {
            Portfolio.Mark(bid, ask);
            Track();
        }
    }

    private void StrategyStep(in MarketEvent e, long receiveNs)
    {
        long exchangeNow = receiveNs - Clock.OffsetNs;
        _lastSeen = Math.Max(_lastSeen, receiveNs);
        Context.NowNs = receiveNs;
        Context.ExchangeNowNs = exchangeNow;
        Context.EventExchangeNs = e.ExchangeTime;
        Exchange.Act(exchangeNow); // orders that reached the exchange by now are in (and their fills made)
        DeliverFills();
        OnStrategyStep?.Invoke(receiveNs, e);
        if (e.Kind is EventKind.BookDelta or EventKind.Status) LocalBook.Apply(e);
        bool whole = LocalBook.Valid && LocalBook.Consistent; // what the strategy knows, never the exchange's state ahead of it
        Context.BeginStep();
        if (whole && _recorder is not null && (e.Flags & (long)RowFlags.LastInMessage) != 0) _recorder.Step(Context, LocalBook.Book, Exchange.LiveOrders);
        if (e.Kind == EventKind.Trade) { if (whole) _strategy.OnTrade(Context, e); return; }
        if (e.Kind != EventKind.BookDelta || !whole) return;
        _strategy.OnBook(Context, LocalBook.Book);
    }

    /// <summary>The exchange's fills since the last look, in order, after it has acted (the strategy may answer them with orders).</summary>
    private void DeliverFills()
    {
        while (Exchange.TryTakeFill(out var f)) OnFill(f);
    }

    private void OnFill(Fill f)
    {
        long before = Portfolio.Position;
        Int128 realized = Portfolio.Realized;
        Portfolio.Apply(f);
        Ledger?.Invoke(f, Portfolio);
        if (Math.Abs(Portfolio.Position) < Math.Abs(before) || Math.Sign(Portfolio.Position) != Math.Sign(before) && before != 0)
        {
            ClosingFills++;
            if (Portfolio.Realized > realized) WinningCloses++;
        }
        if (f.Maker) MakerQuantity += f.Quantity; else TakerQuantity += f.Quantity;
        MaxAbsPosition = Math.Max(MaxAbsPosition, Math.Abs(Portfolio.Position));
        if (_fillCount++ % _fillStride == 0)
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
        if (_recorder is not null)
        {
            var b = Exchange.Book.Book;
            _recorder.Filled(Context, f, b.TryBestBid(out long bid, out _) ? bid : 0, b.TryBestAsk(out long ask, out _) ? ask : 0);
        }
        Context.BeginStep();
        _strategy.OnFill(Context, f);
    }

    private void Track()
    {
        Int128 equity = Portfolio.Equity;
        if (!_started || equity > _peak) { _peak = equity; _started = true; }
        if (_peak - equity > MaxDrawdown) MaxDrawdown = _peak - equity;
    }

    private void Sample(long t)
    {
        if (t < _from) return;
        const long DayNs = 86_400_000_000_000;
        long day = Math.DivRem(t, DayNs, out long rem) - (rem < 0 ? 1 : 0);
        if (_day == long.MinValue) { _day = day; _dayStartEquity = Portfolio.Equity; }
        while (day > _day)
        {
            Days.Add((_day, Portfolio.Equity - _dayStartEquity));
            _dayStartEquity = Portfolio.Equity;
            _day++;
        }
        if (_nextSample == long.MinValue) _nextSample = (t / SampleNs) * SampleNs;
        while (_nextSample <= t)
        {
            Equity.Add(new EquityPoint(_nextSample, Portfolio.Equity, _peak - Portfolio.Equity, Portfolio.Position, Portfolio.LastBid, Portfolio.LastAsk));
            _nextSample += SampleNs;
        }
    }

    public void OnShutdown() => Finish();

    /// <summary>Closes the books of the run: acts on what is due, the last equity point, the last day.</summary>
    public void Finish()
    {
        if (LastNs == long.MinValue && _steps.Count == 0 || _finished) return;
        _finished = true;
        Release(long.MaxValue);
        Exchange.Act(LastNs);
        DeliverFills();
        Equity.Add(new EquityPoint(LastNs, Portfolio.Equity, _peak - Portfolio.Equity, Portfolio.Position, Portfolio.LastBid, Portfolio.LastAsk));
        if (_day != long.MinValue) Days.Add((_day, Portfolio.Equity - _dayStartEquity));
    }

    private bool _finished;
}
