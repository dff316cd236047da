using TickEngine.Engine.Book;

namespace TickEngine.Engine.Research.Strategies;

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

    public MarketMakerStrategy(StrategyParameters p, StrategyInstrument instrument)
    {
        _spreadBps = p.Decimal("spread_bps", 2m, 0m, 10_000m);
        _skewBps = p.Decimal("skew_bps", 1m, 0m, 10_000m);
        _size = p.Positive("size", 0.01m, instrument.QuantityScale);
        _maxPosition = p.Fixed("max_position", 0.05m, instrument.QuantityScale);
        if (_maxPosition < 0) throw new ArgumentException("--param max_position must be at least 0");
        // The grid: the instrument's tick unless given; a given one off the instrument's grid would quote prices the
        // exchange snaps or refuses, so it must be a multiple of it.
        long tick = instrument.Rules.Tick;
        _tick = p.Has("tick") ? p.Positive("tick", 0m, instrument.PriceScale) : tick;
        if (_tick % tick != 0) throw new ArgumentException($"--param tick: not a multiple of the instrument's tick ({instrument.Rules.Describe(instrument.PriceScale, instrument.QuantityScale)})");
        _refreshNs = (long)(p.Decimal("refresh_ms", 100m, 0m, 86_400_000m) * 1_000_000);
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
