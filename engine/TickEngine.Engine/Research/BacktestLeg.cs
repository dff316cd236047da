using TickEngine.Engine.Book;

namespace TickEngine.Engine.Research;

/// <summary>
/// One instrument of a backtest: its simulated exchange (true book, queues, fills), the feed clock of its venue, the
/// strategy's own book of it, its portfolio (exact, at its own scales) and the context a strategy trades it through.
/// </summary>
public sealed class BacktestLeg
{
    internal BacktestLeg(int index, int instrumentId, string market, ExecutionSimulator exchange, FeedClock clock, L2SampleBook? sampleBook)
    {
        Index = index;
        InstrumentId = instrumentId;
        Market = market;
        Exchange = exchange;
        Clock = clock;
        SampleBook = sampleBook;
        Portfolio = new Portfolio(exchange.Money);
        Context = new StrategyContext(exchange, Portfolio) { Leg = index, Market = market, Book = LocalBook.Book };
    }

    public int Index { get; }
    public int InstrumentId { get; }
    /// <summary>"exchange/symbol".</summary>
    public string Market { get; }
    public ExecutionSimulator Exchange { get; }
    public FeedClock Clock { get; }
    public L2SampleBook? SampleBook { get; }
    /// <summary>The strategy's own book of this instrument: rebuilt from the events in the order it received them.</summary>
    public BookRebuilder LocalBook { get; } = new();
    public Portfolio Portfolio { get; }
    public StrategyContext Context { get; }

    /// <summary>Fills that reduced the position, and those of them that realized a gain.</summary>
    public long ClosingFills { get; internal set; }
    public long WinningCloses { get; internal set; }
    public long MakerQuantity { get; internal set; }
    public long TakerQuantity { get; internal set; }
    public long MaxAbsPosition { get; internal set; }
    /// <summary>Sum of |position| x ns held.</summary>
    public Int128 PositionTime { get; internal set; }
    internal long LastTime = long.MinValue;
    internal readonly long[] LastLocal = [long.MinValue, long.MinValue, long.MinValue]; // per stream: deltas, trades, status
}

/// <summary>One instrument for a backtest: its id on the ring, its "exchange/symbol", its exchange, clock and (no deltas) L2 sample book.</summary>
public sealed record LegSpec(int InstrumentId, string Market, ExecutionSimulator Exchange, FeedClock? Clock = null, L2SampleBook? SampleBook = null);
