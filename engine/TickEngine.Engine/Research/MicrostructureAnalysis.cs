using TickEngine.Engine.Book;
using TickEngine.Engine.Events;
using TickEngine.Engine.Ring;
using TickEngine.Storage.Format;

namespace TickEngine.Engine.Research;

/// <summary>One interval's microstructure figures (sums; <see cref="MicrostructureAnalysis"/> turns them into means).</summary>
public sealed class MicroInterval(long start)
{
    public long Start { get; } = start;
    public long Samples, OneSided;
    public double SpreadPriceSum, SpreadBpsSum, DepthTouchSum, DepthWithinSum;
    public double ReturnSquares; public long Returns;
    public double Ofi;
    public long Trades, Volume, BuyVolume, SellVolume;
    public Int128 Notional; // sum of price x quantity mantissas
    public double EffectiveBpsSum, EffectiveBpsSizeSum, EffectiveSize; public long Effective;
    public double RealizedBpsSum; public long Realized;
    public long TopChanges, BookMessages;
    public double? FirstMid, LastMid;
}

/// <summary>
/// Microstructure of one instrument over a replayed period, on the book rebuilt from its deltas (or L2 samples) and
/// its trades, in exchange-time order. The book is sampled every <c>sampleNs</c> of exchange time (as it stood before
/// the first event at or after the instant): quoted spread (price and bp of the mid), depth at the touch and within N
/// ticks of it, the mid's log returns (realized volatility per interval), and Cont-Kukanov-Stoikov order-flow
/// imbalance of the best levels between samples. Each trade with a book in sync: effective spread
/// 2·side·(price − mid)/mid, and, <c>horizonNs</c> later, realized spread 2·side·(price − mid_later)/mid (price impact is
/// their difference); signed volume between samples against the mid's change gives Kyle's lambda (OLS with intercept).
/// Trades: count, intensity, volume by aggressor, sizes (distribution), VWAP (exact sums). Quote-to-trade: changes of
/// the best bid or ask (price or size) and book messages per trade. Nothing is sampled where the book is out of sync,
/// and no interval is made where the data has none. One thread.
/// </summary>
public sealed class MicrostructureAnalysis : IValueEventHandler<MarketEvent>, L2SampleBook.ISink
{
    private readonly int _instrumentId;
    private readonly double _priceUnit, _quantityUnit;
    private readonly long _intervalNs, _sampleNs, _horizonNs, _startNs, _endNs;
    private readonly long _withinPrice; // N ticks in price mantissa
    private readonly BookRebuilder _book = new();
    private readonly List<(long Time, int Side, long Price, double Mid, MicroInterval Bucket)> _pending = new();
    private int _pendingStart;
    private long _nextSample = long.MinValue;
    private bool _havePrevious;
    private long _prevBid, _prevBidQty, _prevAsk, _prevAskQty;
    private double _prevMid;
    private double _signedSinceSample;
    private long _topBid, _topBidQty, _topAsk, _topAskQty;

    /// <param name="withinTicks">N of "depth within N ticks"; <paramref name="tick"/> the instrument's tick as a price mantissa.</param>
    /// <param name="quietNs">Past this long after the last event the book is not sampled (nor a realized spread taken): a
    /// stretch with no data (a closed market, a feed that went quiet) makes no rows.</param>
    public MicrostructureAnalysis(int instrumentId, int priceScale, int quantityScale, long intervalNs, long sampleNs, long horizonNs, int withinTicks, long tick,
        long startNs = long.MinValue, long endNs = long.MaxValue, long quietNs = 60_000_000_000)
    {
        if (quietNs <= 0) throw new ArgumentOutOfRangeException(nameof(quietNs), "the quiet limit must be above 0");
        QuietNs = quietNs;
        if (intervalNs <= 0 || sampleNs <= 0 || horizonNs < 0) throw new ArgumentOutOfRangeException(nameof(intervalNs), "interval and sample must be above 0");
        _instrumentId = instrumentId;
        _priceUnit = Math.Pow(10, -priceScale);
        _quantityUnit = Math.Pow(10, -quantityScale);
        PriceScale = priceScale;
        QuantityScale = quantityScale;
        _intervalNs = intervalNs;
        _sampleNs = sampleNs;
        _horizonNs = horizonNs;
        _startNs = startNs;
        _endNs = endNs;
        WithinTicks = withinTicks;
        Tick = Math.Max(1, tick);
        _withinPrice = (long)withinTicks * Tick;
    }

    public int PriceScale { get; }
    public int QuantityScale { get; }
    public int WithinTicks { get; }
    public long Tick { get; }
    public long IntervalNs => _intervalNs;
    public long SampleNs => _sampleNs;
    public long HorizonNs => _horizonNs;
    public SortedDictionary<long, MicroInterval> Intervals { get; } = new();
    public List<long> TradeSizes { get; } = new();
    /// <summary>(signed volume, mid change) per sample step with a book at both ends: Kyle's lambda's points.</summary>
    public List<(double SignedVolume, double MidChange)> ImpactPoints { get; } = new();
    public long FirstNs { get; private set; } = long.MaxValue;
    public long LastNs { get; private set; } = long.MinValue;
    public long TradesUnjudged { get; private set; }
    public long QuietNs { get; }
    /// <summary>Sample instants left out because no event had come for longer than <see cref="QuietNs"/>.</summary>
    public long SamplesQuiet { get; private set; }
    /// <summary>Trades whose realized spread was not taken: their horizon fell in a stretch with no data.</summary>
    public long RealizedUnresolved { get; private set; }
    private long _lastEventNs = long.MinValue;
    public long SamplesOutOfSync { get; private set; }

    /// <summary>When the data has no deltas: the book from L2 samples.</summary>
    public L2SampleBook? SampleBook { get; init; }

    public void OnEvent(ref MarketEvent e, long sequence, bool endOfBatch)
    {
        if (e.InstrumentId == _instrumentId) L2SampleBook.Route(SampleBook, e, this);
    }

    void L2SampleBook.ISink.Handle(in MarketEvent e) => Handle(e);

    private MicroInterval Bucket(long t)
    {
        long start = Math.DivRem(t, _intervalNs, out long rem) * _intervalNs - (rem < 0 ? _intervalNs : 0);
        if (!Intervals.TryGetValue(start, out var b)) Intervals[start] = b = new MicroInterval(start);
        return b;
    }

    private bool Top(out long bid, out long bidQty, out long ask, out long askQty)
    {
        bid = bidQty = ask = askQty = 0;
        return _book.Valid && _book.Consistent && _book.Book.TryBestBid(out bid, out bidQty) && _book.Book.TryBestAsk(out ask, out askQty) && ask > bid;
    }

    private void Handle(in MarketEvent e)
    {
        if (e.Kind is not (EventKind.BookDelta or EventKind.Status or EventKind.Trade)) return;
        long t = e.ExchangeTime;
        if (_nextSample == long.MinValue) _nextSample = (Math.Max(t, _startNs) / _sampleNs + 1) * _sampleNs;
        bool inside = t >= _startNs && t < _endNs;
        // The book as it stood at an instant is the book before the first event at or after it.
        ResolvePending(t);
        while (_nextSample <= t && _nextSample < _endNs)
        {
            if (_lastEventNs != long.MinValue && _nextSample - _lastEventNs > QuietNs)
            {
                // No data for longer than the quiet limit: nothing is sampled until the next event (no made-up rows),
                // and no return or flow is measured across the stretch.
                long resume = (t / _sampleNs + 1) * _sampleNs;
                if (_nextSample >= _startNs) SamplesQuiet += (Math.Min(resume, _endNs) - _nextSample + _sampleNs - 1) / _sampleNs;
                _nextSample = resume;
                _havePrevious = false;
                _signedSinceSample = 0;
                break;
            }
            if (_nextSample >= _startNs) Sample(_nextSample);
            _nextSample += _sampleNs;
        }
        _lastEventNs = Math.Max(_lastEventNs, t);
        if (inside)
        {
            FirstNs = Math.Min(FirstNs, t);
            LastNs = Math.Max(LastNs, t);
        }
        if (e.Kind == EventKind.Trade)
        {
            if (inside) Trade(e);
            return;
        }
        _book.Apply(e);
        if (!inside || e.Kind != EventKind.BookDelta) return;
        var b = Bucket(t);
        if ((e.Flags & (long)RowFlags.LastInMessage) != 0)
        {
            b.BookMessages++;
            if (Top(out long bid, out long bq, out long ask, out long aq) && (bid != _topBid || bq != _topBidQty || ask != _topAsk || aq != _topAskQty))
            {
                b.TopChanges++;
                (_topBid, _topBidQty, _topAsk, _topAskQty) = (bid, bq, ask, aq);
            }
        }
    }

    private void Trade(in MarketEvent e)
    {
        var b = Bucket(e.ExchangeTime);
        long q = e.Quantity;
        b.Trades++;
        b.Volume += q;
        b.Notional += (Int128)e.Price * q;
        int side = e.Side == (byte)TradeSide.Buy ? 1 : e.Side == (byte)TradeSide.Sell ? -1 : 0;
        if (side > 0) b.BuyVolume += q; else if (side < 0) b.SellVolume += q;
        _signedSinceSample += side * q * _quantityUnit;
        TradeSizes.Add(q);
        if (side == 0 || !Top(out long bid, out _, out long ask, out _)) { TradesUnjudged++; return; }
        double mid = (bid + ask) / 2.0;
        double eff = 2.0 * side * (e.Price - mid) / mid * 1e4;
        b.EffectiveBpsSum += eff;
        b.EffectiveBpsSizeSum += eff * q * _quantityUnit;
        b.EffectiveSize += q * _quantityUnit;
        b.Effective++;
        _pending.Add((e.ExchangeTime + _horizonNs, side, e.Price, mid, b));
    }

    /// <summary>Trades whose horizon has come (before the event at <paramref name="t"/>): realized spread against the mid then.</summary>
    private void ResolvePending(long t)
    {
        while (_pendingStart < _pending.Count && _pending[_pendingStart].Time <= t)
        {
            var p = _pending[_pendingStart++];
            if (p.Time - _lastEventNs > QuietNs) { RealizedUnresolved++; continue; } // the horizon fell in a stretch with no data
            if (!Top(out long bid, out _, out long ask, out _)) continue;
            double later = (bid + ask) / 2.0;
            p.Bucket.RealizedBpsSum += 2.0 * p.Side * (p.Price - later) / p.Mid * 1e4;
            p.Bucket.Realized++;
        }
        if (_pendingStart > 4096 && _pendingStart * 2 > _pending.Count) { _pending.RemoveRange(0, _pendingStart); _pendingStart = 0; }
    }

    private void Sample(long at)
    {
        if (!Top(out long bid, out long bq, out long ask, out long aq))
        {
            SamplesOutOfSync++;
            _havePrevious = false;
            _signedSinceSample = 0;
            return;
        }
        var b = Bucket(at - 1); // the sample closes the step that ends at it: it belongs to the interval the step was in
        double mid = (bid + ask) / 2.0;
        b.Samples++;
        b.SpreadPriceSum += (ask - bid) * _priceUnit;
        b.SpreadBpsSum += (ask - bid) / mid * 1e4;
        b.DepthTouchSum += (bq + aq) * _quantityUnit;
        long within = 0;
        var (bp, bqs) = _book.Book.Levels(BookSide.Bid);
        for (int i = 0; i < bp.Length && bid - bp[i] <= _withinPrice; i++) within += bqs[i];
        var (ap, aqs) = _book.Book.Levels(BookSide.Ask);
        for (int i = 0; i < ap.Length && ap[i] - ask <= _withinPrice; i++) within += aqs[i];
        b.DepthWithinSum += within * _quantityUnit;
        b.FirstMid ??= mid * _priceUnit;
        b.LastMid = mid * _priceUnit;
        if (_havePrevious)
        {
            double r = Math.Log(mid / _prevMid);
            b.ReturnSquares += r * r;
            b.Returns++;
            // Cont, Kukanov and Stoikov (2014): the best levels' flow between two observations.
            double e = (bid >= _prevBid ? bq : 0) - (bid <= _prevBid ? _prevBidQty : 0) - (ask <= _prevAsk ? aq : 0) + (ask >= _prevAsk ? _prevAskQty : 0);
            b.Ofi += e * _quantityUnit;
            ImpactPoints.Add((_signedSinceSample, (mid - _prevMid) * _priceUnit));
        }
        _havePrevious = true;
        (_prevBid, _prevBidQty, _prevAsk, _prevAskQty, _prevMid) = (bid, bq, ask, aq, mid);
        _signedSinceSample = 0;
    }

    public void OnShutdown() { }

    /// <summary>Kyle's lambda: the OLS slope of the mid's change on signed volume (price per unit of quantity), and R².</summary>
    public (double Lambda, double R2, int Points) KyleLambda()
    {
        int n = ImpactPoints.Count;
        if (n < 3) return (double.NaN, double.NaN, n);
        double mx = ImpactPoints.Average(p => p.SignedVolume), my = ImpactPoints.Average(p => p.MidChange);
        double sxy = 0, sxx = 0, syy = 0;
        foreach (var (x, y) in ImpactPoints)
        {
            sxy += (x - mx) * (y - my);
            sxx += (x - mx) * (x - mx);
            syy += (y - my) * (y - my);
        }
        if (sxx == 0) return (double.NaN, double.NaN, n);
        double lambda = sxy / sxx;
        return (lambda, syy == 0 ? double.NaN : sxy * sxy / (sxx * syy), n);
    }
}
