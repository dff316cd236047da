using TickEngine.Engine.Book;

namespace TickEngine.Engine.Research.Strategies;

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
        _levels = p.Int("levels", 5, 1, 1000);
        _buyAbove = p.Decimal("buy_above", 3.0m, 0m);
        _sellBelow = p.Decimal("sell_below", 0.33m, 0m);
        if (_sellBelow > _buyAbove) throw new ArgumentException($"--param sell_below ({_sellBelow}) is above buy_above ({_buyAbove}): the strategy would buy and sell on the same book");
        _size = p.Positive("size", 0.01m, quantityScale);
        _maxPosition = p.Fixed("max_position", 0.05m, quantityScale);
        if (_maxPosition < 0) throw new ArgumentException("--param max_position must be at least 0");
        _cooldownNs = (long)(p.Decimal("cooldown_ms", 1000m, 0m, 86_400_000m) * 1_000_000);
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
