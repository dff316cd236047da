using TickEngine.Engine.Events;
using TickEngine.Engine.Ring;
using TickEngine.Storage.Format;

namespace TickEngine.Engine.Research;

/// <summary>
/// A backtest on the ring: every event of one instrument goes to the simulated exchange (which keeps the book and
/// fills orders), then to the strategy, which decides at the event's receive time. Fills update the
/// <see cref="Portfolio"/> (exact PnL); the portfolio is marked to the mid after every whole message. Memory is
/// bounded whatever the length of the run: equity is kept once per <see cref="SampleNs"/> of exchange time (one
/// minute by default, 44,640 points a month), per-day PnL per day, and fills for the chart thinned to at most
/// <see cref="MaxFillsKept"/> (every fill still counts in every figure). One thread (the handler's).
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

    /// <param name="fromNs">Figures (equity points, days) start here; events before it only build the book.</param>
    public Backtest(int instrumentId, ExecutionSimulator exchange, IStrategy strategy, long sampleNs = 60_000_000_000, long fromNs = long.MinValue)
    {
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
        Events++;
        long t = e.ExchangeTime;
        if (_lastTime != long.MinValue && t > _lastTime) PositionTime += (Int128)Math.Abs(Portfolio.Position) * (t - _lastTime);
        _lastTime = Math.Max(_lastTime, t);
        if (t >= _from) FirstNs = Math.Min(FirstNs, t);
        LastNs = Math.Max(LastNs, t);
        Sample(t);
        Context.NowNs = e.ReceiveTime;
        Context.EventExchangeNs = e.ExchangeTime;
        Exchange.OnEvent(e);
        DeliverFills();
        var rebuilt = Exchange.Book;
        bool whole = rebuilt.Valid && rebuilt.Consistent;
        if (e.Kind == EventKind.Trade) { if (whole) _strategy.OnTrade(Context, e); return; }
        if (e.Kind != EventKind.BookDelta || !whole) return;
        if (rebuilt.Book.TryBestBid(out long bid, out _) && rebuilt.Book.TryBestAsk(out long ask, out _))
        {
            Portfolio.Mark(bid, ask);
            Track();
        }
        _strategy.OnBook(Context, rebuilt.Book);
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
        if (LastNs == long.MinValue || _finished) return;
        _finished = true;
        Exchange.Act(LastNs);
        DeliverFills();
        Equity.Add(new EquityPoint(LastNs, Portfolio.Equity, _peak - Portfolio.Equity, Portfolio.Position, Portfolio.LastBid, Portfolio.LastAsk));
        if (_day != long.MinValue) Days.Add((_day, Portfolio.Equity - _dayStartEquity));
    }

    private bool _finished;
}
