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
    /// <summary>Orders submitted and quantity asked, for the fill rate.</summary>
    public long OrdersSent { get; internal set; }
    public long QuantitySent { get; internal set; }
    public long LimitQuantitySent { get; internal set; }

    public SimOrder Buy(OrderType type, long quantity, long price = 0) => Send(OrderSide.Buy, type, quantity, price);
    public SimOrder Sell(OrderType type, long quantity, long price = 0) => Send(OrderSide.Sell, type, quantity, price);

    private SimOrder Send(OrderSide side, OrderType type, long quantity, long price)
    {
        OrdersSent++;
        QuantitySent += quantity;
        if (type == OrderType.Limit) LimitQuantitySent += quantity;
        return exchange.Submit(side, type, price, quantity, ExchangeNowNs, EventExchangeNs);
    }

    public void Cancel(SimOrder order) => exchange.Cancel(order, ExchangeNowNs, EventExchangeNs);
}
