using System.Globalization;
using TickEngine.Engine.Book;
using TickEngine.Engine.Events;
using TickEngine.Storage.Numerics;

namespace TickEngine.Engine.Research;

/// <summary>
/// A strategy in C#: it sees the instrument's book after every whole exchange message and every trade, at the
/// receive time the recorder stamped on them (its decision time), and sends orders to the simulated exchange, which
/// acts on them at exchange time after the latency. Runs on the backtest handler's thread.
/// </summary>
public interface IStrategy
{
    string Name { get; }
    /// <summary>The book is whole (after a message) and in sync.</summary>
    void OnBook(StrategyContext ctx, OrderBook book);
    void OnTrade(StrategyContext ctx, in MarketEvent trade) { }
    void OnFill(StrategyContext ctx, in Fill fill) { }
}

/// <summary>What a strategy may use: the exchange, its portfolio, the decision time, the instrument's scales.</summary>
public sealed class StrategyContext(ExecutionSimulator exchange, Portfolio portfolio)
{
    public ExecutionSimulator Exchange => exchange;
    public Portfolio Portfolio => portfolio;
    public MoneyScale Money => exchange.Money;
    /// <summary>Receive time of the event being handled: when the strategy decides.</summary>
    public long NowNs { get; internal set; }
    /// <summary>Exchange time of that event: orders act no earlier than it plus the latency.</summary>
    public long EventExchangeNs { get; internal set; }
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
        return exchange.Submit(side, type, price, quantity, NowNs, EventExchangeNs);
    }

    public void Cancel(SimOrder order) => exchange.Cancel(order, NowNs, EventExchangeNs);
}

/// <summary>Strategy parameters by name (<c>--param k=v</c>), with the strategy's defaults; unknown names are an error.</summary>
public sealed class StrategyParameters
{
    private readonly Dictionary<string, string> _given;
    private readonly HashSet<string> _used = new();

    public StrategyParameters(IReadOnlyDictionary<string, string>? given = null) =>
        _given = given is null ? new() : new Dictionary<string, string>(given, StringComparer.OrdinalIgnoreCase);

    public IReadOnlyDictionary<string, string> Given => _given;

    public decimal Decimal(string name, decimal fallback)
    {
        _used.Add(name);
        if (!_given.TryGetValue(name, out var text)) return fallback;
        return decimal.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var v) ? v : throw new ArgumentException($"--param {name}={text}: not a number");
    }

    public int Int(string name, int fallback) => (int)Decimal(name, fallback);

    /// <summary>A quantity or price parameter as a mantissa at <paramref name="scale"/>: exact, or an error.</summary>
    public long Fixed(string name, decimal fallback, int scale)
    {
        decimal v = Decimal(name, fallback);
        string text = v.ToString(CultureInfo.InvariantCulture);
        if (!FixedDecimal.TryParse(text.AsSpan(), scale, out long m, out var error)) throw new ArgumentException($"--param {name}={text}: {FixedDecimal.Describe(error, text, scale)}");
        return m;
    }

    /// <summary>Names given that the strategy never asked for: a typo, refused.</summary>
    public void CheckAllUsed(string strategy)
    {
        var unknown = _given.Keys.Where(k => !_used.Contains(k)).ToList();
        if (unknown.Count > 0) throw new ArgumentException($"strategy {strategy} has no parameter {string.Join(", ", unknown)}; it takes {string.Join(", ", _used.Order())}");
    }
}

/// <summary>
/// The L2 imbalance strategy: bid volume over ask volume across the top <c>levels</c>; above <c>buy_above</c> (3.0)
/// it buys <c>size</c> at market, below <c>sell_below</c> (0.33) it sells, within <c>max_position</c> either way, at
/// most once per <c>cooldown_ms</c>.
/// </summary>
public sealed class ImbalanceStrategy : IStrategy
{
    private readonly int _levels;
    private readonly decimal _buyAbove, _sellBelow;
    private readonly long _size, _maxPosition, _cooldownNs;
    private readonly long[] _p, _q;
    private long _last = long.MinValue;

    public ImbalanceStrategy(StrategyParameters p, int quantityScale)
    {
        _levels = Math.Clamp(p.Int("levels", 5), 1, 1000);
        _buyAbove = p.Decimal("buy_above", 3.0m);
        _sellBelow = p.Decimal("sell_below", 0.33m);
        _size = p.Fixed("size", 0.01m, quantityScale);
        _maxPosition = p.Fixed("max_position", 0.05m, quantityScale);
        _cooldownNs = (long)(p.Decimal("cooldown_ms", 1000m) * 1_000_000);
        if (_size <= 0) throw new ArgumentException("--param size must be above 0");
        _p = new long[_levels];
        _q = new long[_levels];
        p.CheckAllUsed(Name);
    }

    public string Name => "imbalance";

    public void OnBook(StrategyContext ctx, OrderBook book)
    {
        if (_last != long.MinValue && ctx.NowNs - _last < _cooldownNs) return;
        long bids = Sum(book, Storage.Format.BookSide.Bid), asks = Sum(book, Storage.Format.BookSide.Ask);
        if (bids == 0 || asks == 0) return;
        decimal ratio = (decimal)bids / asks;
        long pos = ctx.Portfolio.Position;
        if (ratio > _buyAbove && pos + _size <= _maxPosition) { ctx.Buy(OrderType.Market, _size); _last = ctx.NowNs; }
        else if (ratio < _sellBelow && pos - _size >= -_maxPosition) { ctx.Sell(OrderType.Market, _size); _last = ctx.NowNs; }
    }

    private long Sum(OrderBook book, Storage.Format.BookSide side)
    {
        int n = book.CopyTop(side, _p, _q);
        long s = 0;
        for (int i = 0; i < n; i++) s += _q[i];
        return s;
    }
}

/// <summary>
/// A market maker: one bid and one ask around the mid, <c>spread_bps</c> wide, <c>size</c> each, shifted against
/// the inventory by <c>skew_bps</c> per <c>size</c> held, on the instrument's tick (<c>tick</c>, in price units);
/// no quote on the side that would pass <c>max_position</c>. Quotes are replaced when the wanted price moves, at
/// most once per <c>refresh_ms</c>.
/// </summary>
public sealed class MarketMakerStrategy : IStrategy
{
    private readonly decimal _spreadBps, _skewBps;
    private readonly long _size, _maxPosition, _tick, _refreshNs;
    private SimOrder? _bid, _ask;
    private long _last = long.MinValue;

    public MarketMakerStrategy(StrategyParameters p, int priceScale, int quantityScale)
    {
        _spreadBps = p.Decimal("spread_bps", 2m);
        _skewBps = p.Decimal("skew_bps", 1m);
        _size = p.Fixed("size", 0.01m, quantityScale);
        _maxPosition = p.Fixed("max_position", 0.05m, quantityScale);
        _tick = p.Fixed("tick", 0.01m, priceScale);
        _refreshNs = (long)(p.Decimal("refresh_ms", 100m) * 1_000_000);
        if (_size <= 0 || _tick <= 0) throw new ArgumentException("--param size and tick must be above 0");
        p.CheckAllUsed(Name);
    }

    public string Name => "mm";

    public void OnBook(StrategyContext ctx, OrderBook book)
    {
        if (_last != long.MinValue && ctx.NowNs - _last < _refreshNs) return;
        if (!book.TryBestBid(out long bestBid, out _) || !book.TryBestAsk(out long bestAsk, out _)) return;
        _last = ctx.NowNs;
        decimal mid = (bestBid + bestAsk) / 2m;
        decimal inventory = (decimal)ctx.Portfolio.Position / _size;
        decimal shift = mid * _skewBps / 10_000m * inventory;
        decimal half = mid * _spreadBps / 20_000m;
        long bidPx = (long)Math.Floor((mid - half - shift) / _tick) * _tick;
        long askPx = (long)Math.Ceiling((mid + half - shift) / _tick) * _tick;
        bidPx = Math.Min(bidPx, bestAsk - _tick); // never cross: a quote is a maker order
        askPx = Math.Max(askPx, bestBid + _tick);
        long pos = ctx.Portfolio.Position;
        _bid = Requote(ctx, _bid, OrderSide.Buy, pos + _size <= _maxPosition ? bidPx : 0);
        _ask = Requote(ctx, _ask, OrderSide.Sell, pos - _size >= -_maxPosition ? askPx : 0);
    }

    private SimOrder? Requote(StrategyContext ctx, SimOrder? current, OrderSide side, long price)
    {
        bool live = current is { Status: OrderStatus.Pending or OrderStatus.Resting } && current.CancelAtNs == long.MaxValue;
        if (live && current!.Price == price) return current;
        if (live) ctx.Cancel(current!);
        if (price <= 0) return null;
        return side == OrderSide.Buy ? ctx.Buy(OrderType.Limit, _size, price) : ctx.Sell(OrderType.Limit, _size, price);
    }
}
