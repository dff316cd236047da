using TickEngine.Engine.Book;
using TickEngine.Storage.Format;

namespace TickEngine.Engine.Research.Recording;

/// <summary>
/// A backtest's research record, for notebooks: market snapshots (the strategy's book: bid, ask, mid, spread,
/// volatility, imbalance; its position, equity and its own best quotes) every <see cref="EveryNs"/> of its clock, and
/// every order event (create, replace, cancel, rejected, fill, with the market around it), as hourly Parquet files
/// (<see cref="HourlyParquetTable"/>) under <c>DIR/snapshots/</c> and <c>DIR/orders/</c>. Prices and quantities are exact
/// decimals at the instrument's scales; money (equity, fees) is exact text (up to 22 decimals); ratios are doubles.
/// Volatility is the mid's, in bp per √s, an exponentially weighted mean of r² / Δt with a 30-s half-life (the
/// research market maker's own estimate uses the same formula). On the backtest's thread.
/// </summary>
public sealed class ResearchRecorder : IDisposable
{
    private readonly string _exchange, _symbol;
    private readonly MoneyScale _money;
    private readonly HourlyParquetTable _snapshots, _orders;
    private readonly Dictionary<long, SimOrder> _open = new();
    private readonly long[] _p = new long[5], _q = new long[5];
    private long _nextSnapshot = long.MinValue, _bid, _ask, _offset;
    private MidVolatility _volatility = new(30);

    public ResearchRecorder(string dir, string exchange, string symbol, MoneyScale money, long everyNs = 1_000_000_000)
    {
        if (everyNs <= 0) throw new ArgumentOutOfRangeException(nameof(everyNs), "the snapshot interval must be above 0");
        _exchange = exchange;
        _symbol = symbol;
        _money = money;
        EveryNs = everyNs;
        int ps = money.PriceScale, qs = money.QuantityScale;
        _snapshots = new HourlyParquetTable(Path.Combine(dir, "snapshots"),
        [
            new("exchange", ParquetColumnType.Text, "venue id"), new("symbol", ParquetColumnType.Text, "instrument"),
            new("receive_time_ns", ParquetColumnType.Int64, "the strategy's clock (recorder's receive clock), ns since the epoch"),
            new("exchange_time_ns", ParquetColumnType.Int64, "the same instant on the exchange's clock"),
            new("bid", ParquetColumnType.Decimal, "best bid the strategy knows", ps), new("ask", ParquetColumnType.Decimal, "best ask", ps),
            new("mid", ParquetColumnType.Decimal, "(bid + ask) / 2", ps + 1), new("spread", ParquetColumnType.Decimal, "ask - bid", ps),
            new("spread_bps", ParquetColumnType.Double, "spread over mid, bp"), new("volatility_bps", ParquetColumnType.Double, "mid volatility, bp per sqrt(s)"),
            new("imbalance", ParquetColumnType.Double, "bid volume / (bid + ask volume), top 5 levels"),
            new("position", ParquetColumnType.Decimal, "signed position", qs), new("equity", ParquetColumnType.Text, "realized + unrealized - fees, exact"),
            new("our_bid", ParquetColumnType.Decimal, "our best live bid (null: none)", ps), new("our_bid_qty", ParquetColumnType.Decimal, "its quantity left", qs),
            new("our_ask", ParquetColumnType.Decimal, "our best live ask (null: none)", ps), new("our_ask_qty", ParquetColumnType.Decimal, "its quantity left", qs),
            new("our_orders", ParquetColumnType.Int64, "our live orders (pending or resting)"),
        ]);
        _orders = new HourlyParquetTable(Path.Combine(dir, "orders"),
        [
            new("exchange", ParquetColumnType.Text, "venue id"), new("symbol", ParquetColumnType.Text, "instrument"),
            new("event", ParquetColumnType.Text, "create, replace (a create replacing an order cancelled in the same decision), cancel, rejected, fill"),
            new("order_id", ParquetColumnType.Int64, "the order"), new("replaces_order_id", ParquetColumnType.Int64, "replace: the order it replaces (else 0)"),
            new("side", ParquetColumnType.Text, "buy or sell"), new("type", ParquetColumnType.Text, "limit or market"),
            new("price", ParquetColumnType.Decimal, "limit price (market: null)", ps), new("quantity", ParquetColumnType.Decimal, "order quantity", qs),
            new("receive_time_ns", ParquetColumnType.Int64, "the strategy's clock when it decided (fills: when it heard)"),
            new("exchange_time_ns", ParquetColumnType.Int64, "exchange clock: arrival (create), effect (cancel), execution (fill)"),
            new("mid", ParquetColumnType.Decimal, "mid the strategy knew (fill: the exchange's at the fill)", ps + 1), new("spread", ParquetColumnType.Decimal, "ask - bid then", ps),
            new("position", ParquetColumnType.Decimal, "position after the event", qs),
            new("fill_price", ParquetColumnType.Decimal, "fill: price", ps), new("fill_quantity", ParquetColumnType.Decimal, "fill: quantity", qs),
            new("maker", ParquetColumnType.Int64, "fill: 1 maker, 0 taker"), new("fee", ParquetColumnType.Text, "fill: fee, exact (negative: rebate)"),
            new("queue_ahead_at_placement", ParquetColumnType.Decimal, "fill: the volume ahead when the order joined its level", qs),
            new("reason", ParquetColumnType.Text, "rejected: why"),
        ]);
    }

    public long EveryNs { get; }
    public long SnapshotRows => _snapshots.Rows;
    public long OrderRows => _orders.Rows;
    public IReadOnlyList<string> Files => [.. _snapshots.Files, .. _orders.Files];

    private decimal? Px(long p) => p == 0 ? null : Dec(p, _money.PriceScale);
    private decimal Qty(long q) => Dec(q, _money.QuantityScale);
    private decimal? Mid(long bid, long ask) => bid == 0 || ask == 0 ? null : Dec(bid + ask, _money.PriceScale) / 2m;
    private decimal? Spread(long bid, long ask) => bid == 0 || ask == 0 ? null : Dec(ask - bid, _money.PriceScale);
    /// <summary>A mantissa at a scale as the exact decimal (as the Parquet export writes it).</summary>
    private static decimal Dec(long mantissa, int scale) => Export.ParquetRowsWriter.Exact(mantissa, scale);

    private static string Side(OrderSide s) => s == OrderSide.Buy ? "buy" : "sell";

    /// <summary>A strategy step: the book it knows; a snapshot when the interval has passed.</summary>
    internal void Step(StrategyContext ctx, OrderBook book, IReadOnlyList<SimOrder> live)
    {
        long now = ctx.NowNs;
        _offset = ctx.NowNs - ctx.ExchangeNowNs;
        if (!book.TryBestBid(out _bid, out _) || !book.TryBestAsk(out _ask, out _)) { _bid = _ask = 0; return; }
        double mid = (_bid + _ask) / 2.0;
        _volatility.Update(now, mid);
        if (_nextSnapshot == long.MinValue) _nextSnapshot = now / EveryNs * EveryNs;
        if (now < _nextSnapshot) return;
        _nextSnapshot = (now / EveryNs + 1) * EveryNs;
        long bids = Sum(book, BookSide.Bid), asks = Sum(book, BookSide.Ask);
        long ourBid = 0, ourBidQty = 0, ourAsk = 0, ourAskQty = 0;
        foreach (var o in live)
        {
            if (o.Type != OrderType.Limit) continue;
            if (o.Side == OrderSide.Buy && o.Price > ourBid) { ourBid = o.Price; ourBidQty = o.Leaves; }
            else if (o.Side == OrderSide.Sell && (ourAsk == 0 || o.Price < ourAsk)) { ourAsk = o.Price; ourAskQty = o.Leaves; }
        }
        _snapshots.Append(ctx.ExchangeNowNs, _exchange, _symbol, now, ctx.ExchangeNowNs, Px(_bid), Px(_ask), Mid(_bid, _ask), Spread(_bid, _ask),
            (_ask - _bid) / mid * 10_000, _volatility.Bps, bids + asks == 0 ? (double?)null : (double)bids / (bids + asks),
            Qty(ctx.Portfolio.Position), _money.ToText(ctx.Portfolio.Equity),
            Px(ourBid), ourBid == 0 ? null : Qty(ourBidQty), Px(ourAsk), ourAsk == 0 ? null : Qty(ourAskQty), (long)live.Count);
    }

    private long Sum(OrderBook book, BookSide side)
    {
        int n = book.CopyTop(side, _p, _q);
        long s = 0;
        for (int i = 0; i < n; i++) s += _q[i];
        return s;
    }

    internal void Created(StrategyContext ctx, SimOrder o, long replaces)
    {
        bool rejected = o.Status == OrderStatus.Rejected;
        if (!rejected) _open[o.Id] = o;
        _orders.Append(ctx.ExchangeNowNs, _exchange, _symbol, rejected ? "rejected" : replaces != 0 ? "replace" : "create", o.Id, replaces, Side(o.Side),
            o.Type == OrderType.Limit ? "limit" : "market", o.Type == OrderType.Limit ? Px(o.Price) : null, Qty(o.Quantity), ctx.NowNs,
            rejected ? ctx.ExchangeNowNs : o.ArrivalNs, Mid(_bid, _ask), Spread(_bid, _ask), Qty(ctx.Portfolio.Position), null, null, null, null, null, o.Reason);
    }

    internal void Cancelled(StrategyContext ctx, SimOrder o)
    {
        _open.Remove(o.Id);
        _orders.Append(ctx.ExchangeNowNs, _exchange, _symbol, "cancel", o.Id, 0L, Side(o.Side), o.Type == OrderType.Limit ? "limit" : "market",
            o.Type == OrderType.Limit ? Px(o.Price) : null, Qty(o.Quantity), ctx.NowNs, o.CancelAtNs, Mid(_bid, _ask), Spread(_bid, _ask),
            Qty(ctx.Portfolio.Position), null, null, null, null, null, null);
    }

    internal void Filled(StrategyContext ctx, in Fill f, long exchangeBid, long exchangeAsk)
    {
        _open.TryGetValue(f.OrderId, out var o);
        if (o is not null && o.Leaves == 0) _open.Remove(f.OrderId);
        _orders.Append(f.TimeNs, _exchange, _symbol, "fill", f.OrderId, 0L, Side(f.Side), o is null ? null : o.Type == OrderType.Limit ? "limit" : "market",
            o is { Type: OrderType.Limit } ? Px(o.Price) : null, o is null ? null : Qty(o.Quantity), f.TimeNs + _offset, f.TimeNs,
            Mid(exchangeBid, exchangeAsk), Spread(exchangeBid, exchangeAsk), Qty(ctx.Portfolio.Position), Px(f.Price), Qty(f.Quantity), f.Maker ? 1L : 0L,
            _money.ToText(f.Fee), o is null ? null : Qty(o.AheadAtPlacement), null);
    }

    /// <summary>Completes the last hour's files.</summary>
    public void Dispose()
    {
        _snapshots.Dispose();
        _orders.Dispose();
    }
}
