using TickEngine.Engine.Book;

namespace TickEngine.Engine.Research.Strategies;

/// <summary>
/// A cross-venue basis taker on two books of one asset (the backtest's two instruments, as the strategy has received
/// them): when one venue's bid passes the other's ask by more than <c>enter_bps</c> of the mid, it buys the cheap
/// venue and sells the dear one at market, <c>size</c> each, up to <c>max_position</c> per venue; when the gap has
/// closed to within <c>exit_bps</c> it trades the position back. At most one round per <c>cooldown_ms</c>. Both
/// legs' fees and feed delays are charged, each venue on its own clock: the edge must pay for both.
/// </summary>
public sealed class BasisStrategy : IStrategy
{
    private readonly decimal _enterBps, _exitBps;
    private readonly long _size, _maxPosition, _cooldownNs;
    private long _last = long.MinValue;

    public BasisStrategy(StrategyParameters p, StrategyInstrument instrument)
    {
        _enterBps = p.Decimal("enter_bps", 5m, 0m, 10_000m);
        _exitBps = p.Decimal("exit_bps", 0.5m, 0m, 10_000m);
        if (_exitBps > _enterBps) throw new ArgumentException($"--param exit_bps ({_exitBps}) is above enter_bps ({_enterBps}): a position would be closed before it was opened");
        _size = p.Positive("size", 0.001m, instrument.QuantityScale);
        _maxPosition = p.Positive("max_position", 0.01m, instrument.QuantityScale);
        _cooldownNs = (long)(p.Decimal("cooldown_ms", 500m, 0m, 86_400_000m) * 1_000_000);
        p.CheckAllUsed(Name);
    }

    public string Name => "basis";

    public void OnBook(StrategyContext ctx, OrderBook book)
    {
        if (ctx.Legs.Count != 2) return;
        if (_last != long.MinValue && ctx.NowNs - _last < _cooldownNs) return;
        var a = ctx.Legs[0];
        var b = ctx.Legs[1];
        if (!a.Book.TryBestBid(out long aBid, out _) || !a.Book.TryBestAsk(out long aAsk, out _) || !b.Book.TryBestBid(out long bBid, out _) || !b.Book.TryBestAsk(out long bAsk, out _)) return;
        // Prices at each venue's own scale: compared as decimals.
        decimal pa = Scale(a), pb = Scale(b);
        decimal ab = aBid / pa, aa = aAsk / pa, bb = bBid / pb, ba = bAsk / pb;
        decimal mid = (ab + aa + bb + ba) / 4;
        decimal bOverA = (bb - aa) / mid * 10_000m, aOverB = (ab - ba) / mid * 10_000m;
        long posA = a.Portfolio.Position, sizeA = Size(a), sizeB = Size(b);
        if (bOverA > _enterBps && posA + sizeA <= Max(a)) { a.Buy(OrderType.Market, sizeA); b.Sell(OrderType.Market, sizeB); _last = ctx.NowNs; }
        else if (aOverB > _enterBps && -posA + sizeA <= Max(a)) { a.Sell(OrderType.Market, sizeA); b.Buy(OrderType.Market, sizeB); _last = ctx.NowNs; }
        else if (posA > 0 && aOverB > -_exitBps) { Send(a, OrderSide.Sell, Math.Min(sizeA, posA)); Send(b, OrderSide.Buy, Math.Min(sizeB, -b.Portfolio.Position)); _last = ctx.NowNs; }
        else if (posA < 0 && bOverA > -_exitBps) { Send(a, OrderSide.Buy, Math.Min(sizeA, -posA)); Send(b, OrderSide.Sell, Math.Min(sizeB, b.Portfolio.Position)); _last = ctx.NowNs; }
    }

    /// <summary>A market order of what is left to trade back (nothing when that venue holds nothing: its leg never filled).</summary>
    private static void Send(StrategyContext c, OrderSide side, long quantity)
    {
        if (quantity <= 0) return;
        if (side == OrderSide.Buy) c.Buy(OrderType.Market, quantity); else c.Sell(OrderType.Market, quantity);
    }

    private static decimal Scale(StrategyContext c) { decimal v = 1; for (int i = 0; i < c.Money.PriceScale; i++) v *= 10; return v; }

    /// <summary>The size at a venue's quantity scale (the parameter is at the first venue's).</summary>
    private long Size(StrategyContext c) => Rescale(_size, c);
    private long Max(StrategyContext c) => Rescale(_maxPosition, c);
    private long Rescale(long q, StrategyContext c)
    {
        int from = c.Legs[0].Money.QuantityScale, to = c.Money.QuantityScale;
        for (int i = from; i < to; i++) q *= 10;
        for (int i = to; i < from; i++) q /= 10;
        return Math.Max(1, q);
    }
}
