using TickEngine.Engine.Book;
using TickEngine.Engine.Events;
using TickEngine.Engine.Ring;
using TickEngine.Storage.Format;

namespace TickEngine.Engine.Research;

/// <summary>
/// Slippage of market orders over a replayed period: at every <see cref="EveryNs"/> of exchange time, for every
/// size and side, a market order decided on the book as it stood (the arrival price is its mid) reaches the
/// exchange after the latency and walks the book as it then stood, level by level. A book out of sync at either
/// instant gives no sample (counted); a book that cannot absorb the size gives a partial sample (counted). A
/// handler on the ring for one instrument; the book is rebuilt from the stored deltas and status markers. No
/// order changes the replayed book. One thread.
/// </summary>
public sealed class SlippageAnalysis : IValueEventHandler<MarketEvent>, L2SampleBook.ISink
{
    private readonly int _instrumentId;
    private readonly long[] _sizes;
    private readonly OrderSide[] _sides;
    private readonly LatencyModel _latency;
    private readonly ExecutionSimulator _walker;
    private readonly List<(long Decision, long Execute, long Bid, long Ask)> _pending = new();
    private long _next = long.MinValue;
    private readonly long _endNs;
    // The deepest levels of the book's last snapshot, each side: past them the rebuilt book holds only levels that changed since.
    private long _snapshotDeepestBid, _snapshotDeepestAsk;
    private bool _inSnapshot;

    /// <param name="startNs">The first instant sampled; the replay must start earlier (at the data's start) so the book is whole by then.</param>
    /// <param name="endNs">Instants at or after it are not sampled.</param>
    public SlippageAnalysis(int instrumentId, MoneyScale money, IReadOnlyList<long> sizes, IReadOnlyList<OrderSide> sides, long everyNs, LatencyModel latency,
        long startNs = long.MinValue, long endNs = long.MaxValue)
    {
        _endNs = endNs;
        if (everyNs <= 0) throw new ArgumentOutOfRangeException(nameof(everyNs), "the sampling interval must be above 0");
        _instrumentId = instrumentId;
        _sizes = sizes.ToArray();
        _sides = sides.ToArray();
        EveryNs = everyNs;
        _latency = latency;
        Money = money;
        _walker = new ExecutionSimulator(money, QueueModel.RiskAverse, LatencyModel.Fixed(0, 0), default);
        if (startNs != long.MinValue) _next = (startNs / everyNs + (startNs % everyNs == 0 ? 0 : 1)) * everyNs;
    }

    public MoneyScale Money { get; }
    public long EveryNs { get; }
    public List<SlippageSample> Samples { get; } = new();
    /// <summary>Instants skipped because the book was out of sync (or mid-update) then.</summary>
    public long OutOfSync { get; private set; }
    public long FirstNs { get; private set; } = long.MaxValue;
    public long LastNs { get; private set; } = long.MinValue;
    public BookRebuilder Book => _walker.Book;

    /// <summary>When the data has no deltas: the book from L2 samples (top N; an order larger than they hold is partial).</summary>
    public L2SampleBook? SampleBook { get; init; }

    public void OnEvent(ref MarketEvent e, long sequence, bool endOfBatch)
    {
        if (e.InstrumentId == _instrumentId) L2SampleBook.Route(SampleBook, e, this);
    }

    void L2SampleBook.ISink.Handle(in MarketEvent e) => Handle(e);

    private void Handle(in MarketEvent e)
    {
        if (e.Kind is not (EventKind.BookDelta or EventKind.Status or EventKind.Trade)) return;
        long t = e.ExchangeTime;
        // The book as it stood at an instant is the book before the first event at or after it (as L2 samples are taken).
        if (_next == long.MinValue) _next = (t / EveryNs + 1) * EveryNs;
        while (_pending.Count > 0 && _pending[0].Execute <= t) Execute();
        while (_next <= t)
        {
            Decide(_next);
            while (_pending.Count > 0 && _pending[0].Execute <= t) Execute();
            _next += EveryNs;
        }
        FirstNs = Math.Min(FirstNs, t);
        LastNs = Math.Max(LastNs, t);
        if (e.Kind == EventKind.BookDelta && (e.Flags & (long)RowFlags.FromSnapshot) != 0 && e.Side != 0)
        {
            if ((e.Flags & (long)RowFlags.SnapshotBegins) != 0 || !_inSnapshot) { _snapshotDeepestBid = long.MaxValue; _snapshotDeepestAsk = 0; _inSnapshot = true; }
            if ((BookSide)e.Side == BookSide.Bid) _snapshotDeepestBid = Math.Min(_snapshotDeepestBid, e.Price);
            else _snapshotDeepestAsk = Math.Max(_snapshotDeepestAsk, e.Price);
        }
        else if (e.Kind == EventKind.BookDelta) _inSnapshot = false;
        _walker.Book.Apply(e);
    }

    private bool Synced(out long bid, out long ask)
    {
        bid = ask = 0;
        var b = _walker.Book;
        return b.Valid && b.Consistent && b.Book.TryBestBid(out bid, out _) && b.Book.TryBestAsk(out ask, out _);
    }

    private void Decide(long at)
    {
        if (at >= _endNs) return;
        if (!Synced(out long bid, out long ask)) { OutOfSync++; return; }
        _pending.Add((at, at + Math.Max(0, _latency.EntryNs()), bid, ask));
    }

    private void Execute()
    {
        var (decision, execute, arrivalBid, arrivalAsk) = _pending[0];
        _pending.RemoveAt(0);
        if (!Synced(out long bid, out long ask)) { OutOfSync++; return; }
        foreach (var side in _sides)
            foreach (long size in _sizes)
            {
                var (filled, notional, levels, last) = _walker.Walk(side, size);
                // Past the snapshot's deepest level (or out of book) the book is not fully known: flagged.
                bool beyond = filled < size || (side == OrderSide.Buy ? _snapshotDeepestAsk > 0 && last > _snapshotDeepestAsk : _snapshotDeepestBid != long.MaxValue && _snapshotDeepestBid > 0 && last < _snapshotDeepestBid);
                Samples.Add(new SlippageSample(decision, execute, side, size, filled, notional, arrivalBid, arrivalAsk, bid, ask, levels, beyond));
            }
    }

    public void OnShutdown()
    {
        // Orders decided but not yet executed when the data ended are left out: the book after their latency is unknown.
    }
}
