using TickEngine.Engine.Book;
using TickEngine.Engine.Events;
using TickEngine.Storage.Format;

namespace TickEngine.Engine.Ingest.Binance;

/// <summary>
/// One symbol's local order book kept exactly as Binance documents it (docs/exchange-protocols.md): diffs are
/// buffered until a REST snapshot arrives; diffs with <c>u &lt;= lastUpdateId</c> (spot) or <c>u &lt; lastUpdateId</c>
/// (futures) are dropped; the first diff kept must bracket the snapshot; then each diff must follow the previous
/// one (<c>U == u + 1</c> on spot, <c>pu == u</c> on futures). A break publishes a gap marker and waits for a fresh
/// snapshot; a crossed book or a bookTicker that disagrees with the book does the same. Level changes are
/// published only while the book is in sync. Producer thread only.
/// </summary>
public sealed class BookSync
{
    private const int MaxPending = 4096;
    private readonly Instrument _instrument;
    private readonly bool _futures;
    private readonly EventPublisher _publisher;
    private readonly IngestCounters _counters;
    private readonly ISnapshotRequester? _requester;
    private readonly DepthMessage[] _pending = new DepthMessage[MaxPending];
    private readonly DepthMessage _replay = new();
    private readonly DepthMessage _held = new();
    private bool _holding;
    private int _pendingStart;
    private int _pendingCount;
    private bool _synced;
    private bool _firstAfterSnapshot;
    private long _lastDiscardedTime;
    private bool _everSynced;

    public BookSync(Instrument instrument, bool futures, EventPublisher publisher, IngestCounters counters, ISnapshotRequester? requester)
    {
        _instrument = instrument;
        _futures = futures;
        _publisher = publisher;
        _counters = counters;
        _requester = requester;
    }

    public OrderBook Book { get; } = new();
    public bool IsSynced => _synced;

    /// <summary>A diff-depth message.</summary>
    public void OnDiff(DepthMessage m)
    {
        _counters.DepthMessages++;
        if (!_synced)
        {
            Buffer(m);
            if (_holding) TrySyncHeld();
            return;
        }
        Process(m);
    }

    private void Process(DepthMessage m)
    {
        long id = Book.UpdateId;
        if (_firstAfterSnapshot)
        {
            if (_futures ? m.LastId < id : m.LastId <= id) { _counters.DiffsStale++; return; }
            if (!Brackets(m, id))
            {
                _counters.SnapshotsStale++;
                Gap(expected: _futures ? id : id + 1, got: m.FirstId, m);
                return;
            }
            _firstAfterSnapshot = false;
            Apply(m);
            return;
        }
        if (m.LastId <= id) { _counters.DiffsStale++; return; } // a duplicate or an old message
        if (_futures ? m.PrevLastId != id : m.FirstId > id + 1)
        {
            Gap(expected: _futures ? id : id + 1, got: _futures ? m.PrevLastId : m.FirstId, m);
            return;
        }
        Apply(m);
    }

    private void Apply(DepthMessage m)
    {
        for (int i = 0; i < m.Count; i++)
            ApplyAndPublish(m, i, m.ExchangeTime, m.FirstId, m.LastId, i == m.Count - 1 ? (long)RowFlags.LastInMessage : 0);
        _counters.LevelsApplied += m.Count;
        _counters.DiffsApplied++;
        Book.UpdateId = m.LastId;
        if (Book.IsCrossed)
        {
            _counters.Crossed++;
            Invalidate(m.ReceiveTime, m.ExchangeTime, Book.UpdateId, 0);
            return;
        }
        CheckQueuedTickers(m.ReceiveTime, m.ExchangeTime);
    }

    /// <summary>Applies level <paramref name="i"/> of <paramref name="m"/> to the book and publishes it as a level event.</summary>
    private void ApplyAndPublish(DepthMessage m, int i, long exchangeTime, long firstId, long lastId, long flags)
    {
        Book.Set(m.Sides[i], m.Prices[i], m.Quantities[i]);
        ref var e = ref _publisher.Claim();
        e.Kind = EventKind.BookDelta;
        e.InstrumentId = _instrument.Id;
        e.Side = (byte)m.Sides[i];
        e.ExchangeTime = exchangeTime;
        e.ReceiveTime = m.ReceiveTime;
        e.Price = m.Prices[i];
        e.Quantity = m.Quantities[i];
        e.Id = firstId;
        e.Id2 = lastId;
        e.Flags = flags;
    }

    /// <summary>
    /// True when diff <paramref name="m"/> may be the first applied on a book at update id <paramref name="id"/>:
    /// spot <c>U &lt;= id + 1 &lt;= u</c>; futures <c>U &lt;= id &lt;= u</c> (Binance's rule) or <c>pu == id</c> (the
    /// diff that follows the one ending at <c>id</c>: its previous id says the book it applies to is exactly the
    /// snapshot's).
    /// </summary>
    private bool Brackets(DepthMessage m, long id) =>
        _futures ? (m.FirstId <= id && m.LastId >= id) || m.PrevLastId == id : m.FirstId <= id + 1 && m.LastId >= id + 1;

    /// <summary>
    /// A depth snapshot (lastUpdateId in <c>m.LastId</c>, levels in <c>m</c>). A REST snapshot is checked against
    /// the diffs before it is used, as Binance's procedure asks: with no diff received yet it is held until the
    /// first one shows whether it is recent enough (a snapshot older than the stream's first diff would otherwise
    /// be published and then broken at once); <paramref name="immediate"/> applies a whole-book frame at once
    /// (partial depth, which has no diffs).
    /// </summary>
    public void OnSnapshot(DepthMessage m, bool immediate = false)
    {
        _counters.RestSnapshots++;
        if (_synced) return; // the book is in sync: a snapshot is not needed
        if (immediate)
        {
            Sync(m);
            return;
        }
        _held.CopyFrom(m);
        _holding = true;
        TrySyncHeld();
    }

    /// <summary>Syncs the book from the held snapshot if the buffered diffs show it can be used.</summary>
    private void TrySyncHeld()
    {
        long last = _held.LastId;
        // Drop buffered diffs the snapshot already contains.
        while (_pendingCount > 0)
        {
            var first = _pending[_pendingStart];
            if (_futures ? first.LastId < last : first.LastId <= last)
            {
                _lastDiscardedTime = first.ExchangeTime;
                _counters.DiffsStale++;
                PopPending();
            }
            else break;
        }
        if (_pendingCount == 0) return; // no diff to check it against yet: held
        _holding = false;
        if (!Brackets(_pending[_pendingStart], last))
        {
            // The snapshot is older than the diffs kept: a fresher one is needed.
            _counters.SnapshotsStale++;
            _requester?.Request(_instrument);
            return;
        }
        Sync(_held);
    }

    private void Sync(DepthMessage m)
    {
        long last = m.LastId;
        long time = m.ExchangeTime != 0 ? m.ExchangeTime
            : _lastDiscardedTime != 0 ? _lastDiscardedTime
            : _pendingCount > 0 ? _pending[_pendingStart].ExchangeTime : m.ReceiveTime;
        Book.Clear();
        for (int i = 0; i < m.Count; i++)
        {
            long flags = (long)RowFlags.FromSnapshot;
            if (i == 0) flags |= (long)RowFlags.SnapshotBegins;
            if (i == m.Count - 1) flags |= (long)RowFlags.LastInMessage;
            ApplyAndPublish(m, i, time, last, last, flags);
        }
        if (m.Count == 0)
        {
            ref var e = ref _publisher.Claim();
            e.Kind = EventKind.BookDelta;
            e.InstrumentId = _instrument.Id;
            e.ExchangeTime = time;
            e.ReceiveTime = m.ReceiveTime;
            e.Id = e.Id2 = last;
            e.Flags = (long)(RowFlags.BookReset | RowFlags.SnapshotBegins | RowFlags.FromSnapshot | RowFlags.LastInMessage);
        }
        Book.UpdateId = last;
        _synced = true;
        _firstAfterSnapshot = true;
        _counters.Syncs++;
        if (_everSynced) _counters.Resyncs++; // this book was in sync before: a resync
        _everSynced = true;
        Status(StatusKind.Resync, m.ReceiveTime, time, last, 0);
        // Replay what was buffered, in order, with the normal rules.
        while (_pendingCount > 0 && _synced)
        {
            _replay.CopyFrom(_pending[_pendingStart]); // a gap while replaying buffers the message again
            PopPending();
            Process(_replay);
        }
        if (Book.IsCrossed && _synced)
        {
            _counters.Crossed++;
            Invalidate(m.ReceiveTime, time, last, 0);
        }
    }

    /// <summary>
    /// A bookTicker with update id <paramref name="updateId"/>. It is compared with the book when the book's id
    /// equals it: at once if the book is there already, or, since tickers are real-time and diffs batched, when
    /// the diff ending at that id is applied. A ticker whose id no applied diff ends at is not comparable.
    /// </summary>
    public void OnBookTicker(long updateId, long bidPrice, long bidQty, long askPrice, long askQty, long receiveNs, long exchangeNs)
    {
        if (!_synced || updateId < Book.UpdateId)
        {
            _counters.BookTickerUnchecked++;
            return;
        }
        if (updateId == Book.UpdateId && !_firstAfterSnapshot)
        {
            Compare(new Ticker(updateId, bidPrice, bidQty, askPrice, askQty), receiveNs, exchangeNs);
            return;
        }
        if (_tickerCount == _tickers.Length)
        {
            _counters.BookTickerUnchecked++;
            _tickerStart = (_tickerStart + 1) % _tickers.Length;
            _tickerCount--;
        }
        _tickers[(_tickerStart + _tickerCount) % _tickers.Length] = new Ticker(updateId, bidPrice, bidQty, askPrice, askQty);
        _tickerCount++;
    }

    private readonly record struct Ticker(long UpdateId, long BidPrice, long BidQty, long AskPrice, long AskQty);

    private readonly Ticker[] _tickers = new Ticker[1024];
    private int _tickerStart;
    private int _tickerCount;

    /// <summary>Compares the queued tickers the book has now reached; false when one disagreed (the book is invalid).</summary>
    private bool CheckQueuedTickers(long receiveNs, long exchangeNs)
    {
        long id = Book.UpdateId;
        while (_tickerCount > 0)
        {
            var t = _tickers[_tickerStart];
            if (t.UpdateId > id) break;
            _tickerStart = (_tickerStart + 1) % _tickers.Length;
            _tickerCount--;
            if (t.UpdateId < id) { _counters.BookTickerUnchecked++; continue; }
            if (!Compare(t, receiveNs, exchangeNs)) return false;
        }
        return true;
    }

    private bool Compare(in Ticker t, long receiveNs, long exchangeNs)
    {
        bool match = Book.TryBestBid(out long bp, out long bq) && Book.TryBestAsk(out long ap, out long aq) &&
                     bp == t.BidPrice && bq == t.BidQty && ap == t.AskPrice && aq == t.AskQty;
        if (match)
        {
            _counters.BookTickerMatched++;
            return true;
        }
        _counters.BookTickerMismatched++;
        Invalidate(receiveNs, exchangeNs, Book.UpdateId, t.UpdateId);
        return false;
    }

    private void DropTickers()
    {
        _counters.BookTickerUnchecked += _tickerCount;
        _tickerCount = 0;
        _tickerStart = 0;
    }

    /// <summary>The connection carrying the diffs was lost: the book cannot be trusted until a new snapshot.</summary>
    public void OnDisconnect()
    {
        DropTickers();
        _holding = false;
        _synced = false;
        _firstAfterSnapshot = false;
        _pendingCount = 0;
        _pendingStart = 0;
    }

    private void Gap(long expected, long got, DepthMessage m)
    {
        _counters.Gaps++;
        DropTickers();
        Status(StatusKind.SequenceGap, m.ReceiveTime, m.ExchangeTime, expected, got);
        _synced = false;
        _firstAfterSnapshot = false;
        _pendingCount = 0;
        _pendingStart = 0;
        Buffer(m);
        _requester?.Request(_instrument);
    }

    private void Invalidate(long receiveNs, long exchangeNs, long a, long b)
    {
        DropTickers();
        Status(StatusKind.BookInvalid, receiveNs, exchangeNs, a, b);
        _synced = false;
        _firstAfterSnapshot = false;
        _pendingCount = 0;
        _pendingStart = 0;
        _requester?.Request(_instrument);
    }

    private void Status(StatusKind kind, long receiveNs, long exchangeNs, long a, long b) => _publisher.Status(_instrument.Id, kind, receiveNs, exchangeNs, a, b);

    private void Buffer(DepthMessage m)
    {
        _counters.DiffsBuffered++;
        if (_pendingCount == MaxPending)
        {
            // Bounded: the oldest buffered diff goes (a snapshot newer than it is needed anyway).
            PopPending();
        }
        int slot = (_pendingStart + _pendingCount) % MaxPending;
        (_pending[slot] ??= new DepthMessage()).CopyFrom(m);
        _pendingCount++;
    }

    private void PopPending()
    {
        _pendingStart = (_pendingStart + 1) % MaxPending;
        _pendingCount--;
    }
}
