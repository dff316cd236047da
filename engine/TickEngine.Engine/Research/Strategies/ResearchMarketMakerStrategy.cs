using TickEngine.Engine.Book;
using TickEngine.Storage.Format;

namespace TickEngine.Engine.Research.Strategies;

/// <summary>
/// The research design's market maker: <c>levels_per_side</c> quotes a side around a reservation price, a
/// volatility-scaled half-spread apart, skewed by the inventory, each left in the book at least
/// <c>min_time_in_book_ms</c> and replaced only when its wanted price moved more than <c>replace_threshold_bps</c>;
/// the side an order-book imbalance past <c>imbalance_cutoff</c> runs against is not quoted.
/// <list type="bullet">
/// <item>Volatility: σ, in bp per √second, from the mid's returns between book updates: an exponentially weighted
/// mean of r² / Δt (r in bp, Δt in seconds) with a half-life of <c>vola_halflife_s</c>.</item>
/// <item>Half-spread h = max(one tick, mid × <c>k_vola_spread</c> × σ / 10⁴).</item>
/// <item>Reservation r = mid − <c>skew_coeff</c> × (position / <c>max_position</c>) × h: long inventory lowers both
/// sides (sells sooner, buys later).</item>
/// <item>Level i (0 first) at r ∓ h × (1 + i × <c>level_spacing_coeff</c>), on the tick (bids down, asks up), never
/// crossing the best of the other side; a level is quoted only while its fill keeps |position| within
/// <c>max_position</c>.</item>
/// <item>Imbalance I = bid volume / (bid + ask volume) over the top <c>imbalance_levels</c> levels: above the cutoff
/// no asks (buyers press), below 1 − cutoff no bids.</item>
/// </list>
/// Prices are computed in doubles and put on the instrument's grid as integers; sizes are exact.
/// </summary>
public sealed class ResearchMarketMakerStrategy : IStrategy
{
    private readonly double _k, _skew, _spacing, _replaceBps, _cutoff, _halfLifeS;
    private readonly int _levels, _imbalanceLevels;
    private readonly long _size, _maxPosition, _tick, _minInBookNs;
    private readonly SimOrder?[] _bids, _asks;
    private readonly long[] _bidSince, _askSince;
    private readonly long[] _p, _q;
    private MidVolatility _volatility;

    public ResearchMarketMakerStrategy(StrategyParameters p, StrategyInstrument instrument)
    {
        _k = (double)p.Decimal("k_vola_spread", 1.0m, 0m, 100m);
        _skew = (double)p.Decimal("skew_coeff", 0.3m, 0m, 10m);
        _levels = p.Int("levels_per_side", 3, 1, 50);
        _spacing = (double)p.Decimal("level_spacing_coeff", 0.4m, 0m, 100m);
        _minInBookNs = (long)(p.Decimal("min_time_in_book_ms", 500m, 0m, 86_400_000m) * 1_000_000);
        _replaceBps = (double)p.Decimal("replace_threshold_bps", 2m, 0m, 10_000m);
        _cutoff = (double)p.Decimal("imbalance_cutoff", 0.65m, 0.5m, 1m);
        _imbalanceLevels = p.Int("imbalance_levels", 5, 1, 1000);
        _halfLifeS = (double)p.Decimal("vola_halflife_s", 30m, 0.001m, 86_400m);
        _volatility = new MidVolatility(_halfLifeS);
        _size = p.Positive("size", 0.001m, instrument.QuantityScale);
        _maxPosition = p.Positive("max_position", 0.05m, instrument.QuantityScale);
        _tick = instrument.Rules.Tick;
        p.CheckAllUsed(Name);
        _bids = new SimOrder?[_levels];
        _asks = new SimOrder?[_levels];
        _bidSince = new long[_levels];
        _askSince = new long[_levels];
        _p = new long[_imbalanceLevels];
        _q = new long[_imbalanceLevels];
    }

    public string Name => "research-mm";

    /// <summary>The bounds the design gives the tuner (tune searches them unless given otherwise).</summary>
    public static IReadOnlyList<TuneParameter> TuneBounds { get; } =
    [
        new("k_vola_spread", 0.6m, 1.4m), new("skew_coeff", 0.1m, 0.6m), new("levels_per_side", 2m, 4m) { Whole = true }, new("level_spacing_coeff", 0.2m, 0.6m),
        new("min_time_in_book_ms", 300m, 800m), new("replace_threshold_bps", 0m, 6m), new("imbalance_cutoff", 0.55m, 0.75m),
    ];

    /// <summary>σ in bp per √s (the estimate so far).</summary>
    public double VolatilityBps => _volatility.Bps;

    public void OnBook(StrategyContext ctx, OrderBook book)
    {
        if (!book.TryBestBid(out long bestBid, out _) || !book.TryBestAsk(out long bestAsk, out _) || bestAsk <= bestBid) return;
        double mid = (bestBid + bestAsk) / 2.0;
        long now = ctx.NowNs;
        _volatility.Update(now, mid);
        double half = Math.Max(_tick, mid * _k * VolatilityBps / 10_000);
        long pos = ctx.Portfolio.Position;
        double reservation = mid - _skew * ((double)pos / _maxPosition) * half;
        double imbalance = Imbalance(book);
        bool quoteBids = imbalance >= 1 - _cutoff, quoteAsks = imbalance <= _cutoff;
        for (int i = 0; i < _levels; i++)
        {
            double off = half * (1 + i * _spacing);
            long bid = (long)Math.Floor((reservation - off) / _tick) * _tick;
            long ask = (long)Math.Ceiling((reservation + off) / _tick) * _tick;
            bid = Math.Min(bid, bestAsk - _tick);
            ask = Math.Max(ask, bestBid + _tick);
            bool bidRoom = pos + _size * (i + 1) <= _maxPosition, askRoom = pos - _size * (i + 1) >= -_maxPosition;
            _bids[i] = Keep(ctx, _bids[i], ref _bidSince[i], OrderSide.Buy, quoteBids && bidRoom && bid > 0 ? bid : 0, mid, now);
            _asks[i] = Keep(ctx, _asks[i], ref _askSince[i], OrderSide.Sell, quoteAsks && askRoom ? ask : 0, mid, now);
        }
    }

    private double Imbalance(OrderBook book)
    {
        long bids = Sum(book, BookSide.Bid), asks = Sum(book, BookSide.Ask);
        return bids + asks == 0 ? 0.5 : (double)bids / (bids + asks);
    }

    private long Sum(OrderBook book, BookSide side)
    {
        int n = book.CopyTop(side, _p, _q);
        long s = 0;
        for (int i = 0; i < n; i++) s += _q[i];
        return s;
    }

    /// <summary>One level's order: kept, cancelled, replaced or placed, by the minimum time in book and the replace threshold.</summary>
    private SimOrder? Keep(StrategyContext ctx, SimOrder? current, ref long since, OrderSide side, long want, double mid, long now)
    {
        bool live = current is { Status: OrderStatus.Pending or OrderStatus.Resting } && current.CancelAtNs == long.MaxValue;
        if (live)
        {
            if (now - since < _minInBookNs) return current;                      // not yet its minimum time in the book
            if (want != 0 && Math.Abs(want - current!.Price) / mid * 10_000 <= _replaceBps) return current; // close enough
            ctx.Cancel(current!);
        }
        if (want <= 0) return null;
        since = now;
        var o = side == OrderSide.Buy ? ctx.Buy(OrderType.Limit, _size, want) : ctx.Sell(OrderType.Limit, _size, want);
        return o.Status == OrderStatus.Rejected ? null : o;
    }
}
