namespace TickEngine.Engine.Research;

/// <summary>What a strategy may use: the exchange, its portfolio, the decision time, the instrument's scales.</summary>
public sealed class StrategyContext(ExecutionSimulator exchange, Portfolio portfolio)
{
    public ExecutionSimulator Exchange => exchange;
    public Portfolio Portfolio => portfolio;
    public MoneyScale Money => exchange.Money;
    /// <summary>Receive time of the event being handled: when the strategy decides (the recorder's clock).</summary>
    public long NowNs { get; internal set; }
    /// <summary>The same instant on the exchange's clock (receive time less the feed's clock offset): orders leave then.</summary>
    public long ExchangeNowNs { get; internal set; }
    /// <summary>Exchange time of that event: orders act no earlier than it plus the latency.</summary>
    public long EventExchangeNs { get; internal set; }
    /// <summary>The instrument's tick and lot.</summary>
    public InstrumentRules Rules => exchange.Rules;
    /// <summary>Which instrument of the backtest this context trades (0 for a single-instrument backtest).</summary>
    public int Leg { get; init; }
    /// <summary>"exchange/symbol" of the instrument.</summary>
    public string Market { get; init; } = "";
    /// <summary>The strategy's own book of the instrument (what it has received).</summary>
    public Book.OrderBook Book { get; init; } = null!;
    /// <summary>Every instrument's context, in order (one for a single-instrument backtest): a strategy trading several sends each its orders through its own.</summary>
    public IReadOnlyList<StrategyContext> Legs { get; internal set; } = [];
    /// <summary>Orders submitted and quantity asked, for the fill rate.</summary>
    public long OrdersSent { get; internal set; }
    public long QuantitySent { get; internal set; }
    public long LimitQuantitySent { get; internal set; }

    /// <summary>Writes order events to a research record, when the backtest keeps one.</summary>
    internal Recording.ResearchRecorder? Recorder { get; set; }
    private readonly List<(long Id, OrderSide Side)> _cancelledThisStep = new();

    /// <summary>A new decision begins: a create after a cancel of the same side within one decision is a replace.</summary>
    internal void BeginStep() => _cancelledThisStep.Clear();

    public SimOrder Buy(OrderType type, long quantity, long price = 0) => Send(OrderSide.Buy, type, quantity, price);
    public SimOrder Sell(OrderType type, long quantity, long price = 0) => Send(OrderSide.Sell, type, quantity, price);

    private SimOrder Send(OrderSide side, OrderType type, long quantity, long price)
    {
        OrdersSent++;
        QuantitySent += quantity;
        if (type == OrderType.Limit) LimitQuantitySent += quantity;
        var o = exchange.Submit(side, type, price, quantity, ExchangeNowNs, EventExchangeNs);
        if (Recorder is { } r)
        {
            long replaces = 0;
            int k = _cancelledThisStep.FindIndex(c => c.Side == side);
            if (k >= 0) { replaces = _cancelledThisStep[k].Id; _cancelledThisStep.RemoveAt(k); }
            r.Created(this, o, replaces);
        }
        return o;
    }

    public void Cancel(SimOrder order)
    {
        bool asked = order.Status is OrderStatus.Pending or OrderStatus.Resting && order.CancelAtNs == long.MaxValue;
        exchange.Cancel(order, ExchangeNowNs, EventExchangeNs);
        if (asked && Recorder is { } r)
        {
            _cancelledThisStep.Add((order.Id, order.Side));
            r.Cancelled(this, order);
        }
    }
}
