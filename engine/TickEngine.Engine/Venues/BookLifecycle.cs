using TickEngine.Engine.Book;
using TickEngine.Engine.Events;
using TickEngine.Engine.Ingest;
using TickEngine.Storage.Format;

namespace TickEngine.Engine.Venues;

/// <summary>
/// One book's lifecycle, the same for every venue and driven by the venue's <see cref="ISequenceRule"/>, which
/// judges each message (apply, stale, gap, replace). A snapshot replaces the book and brings it in sync (a resync
/// marker after the first). Updates apply while it is in sync; while it is not, they are buffered for a snapshot the
/// venue sends apart (<see cref="SnapshotSource.Requested"/>: Binance's REST depth, held until a buffered update shows
/// it is recent enough, then the buffer is replayed under the rule) or dropped, counted, until the stream's next
/// snapshot (<see cref="SnapshotSource.InStream"/>). A gap, a crossed book or a failed check against the exchange (a
/// checksum, a best bid/ask) publishes a marker, puts the book out of sync and asks the requester for a fresh
/// snapshot (live: a REST request or a resubscription). Every level change is published as a
/// <see cref="EventKind.BookDelta"/> with the message's ids, only while the book is in sync. Producer thread only;
/// nothing allocated per message in steady state.
/// </summary>
public sealed class BookLifecycle : IScaledState
{
    private const int MaxPending = 4096;
    /// <summary>Repeats of the book's last message in a row that are taken as a stream replaying old data.</summary>
    private const int MaxRepeats = 3;
    private int _repeats;
    private readonly Instrument _instrument;
    private readonly ISequenceRule _rule;
    private readonly bool _buffers;
    private readonly EventPublisher _publisher;
    private readonly IngestCounters _counters;
    private readonly ISnapshotRequester? _requester;
    private readonly BookMessage?[] _pending; // empty unless the venue's snapshots are asked for apart
    private BookMessage? _replay;
    private BookMessage? _held;
    private bool _holding;
    private int _pendingStart;
    private int _pendingCount;
    private bool _synced;
    private bool _firstAfterSnapshot;
    private long _lastDiscardedTime;
    private bool _everSynced;

    public BookLifecycle(Instrument instrument, ISequenceRule rule, EventPublisher publisher, IngestCounters counters, ISnapshotRequester? requester)
    {
        _instrument = instrument;
        _rule = rule;
        _buffers = rule.Snapshots == SnapshotSource.Requested;
        _pending = _buffers ? new BookMessage?[MaxPending] : [];
        _publisher = publisher;
        _counters = counters;
        _requester = requester;
        instrument.Track(this);
    }

    public OrderBook Book { get; } = new();
    public bool IsSynced => _synced;
    public Instrument Instrument => _instrument;

    /// <summary>A book message from the stream: an update, or a snapshot the venue sends in the stream.</summary>
    public BookOutcome OnMessage(BookMessage m)
    {
        _counters.DepthMessages++;
        if (_synced) return Process(m);
        if (_rule.Check(-1, m.Fields, false) == SequenceVerdict.Replace) return Sync(m);
        if (!_buffers) { _counters.DiffsOutOfSync++; return BookOutcome.Stale; }
        Buffer(m);
        if (_holding) TrySyncHeld();
        return BookOutcome.Buffered;
    }

    private BookOutcome Process(BookMessage m)
    {
        long id = Book.UpdateId;
        var fields = m.Fields;
        switch (_rule.Check(id, fields, _firstAfterSnapshot))
        {
            case SequenceVerdict.Stale:
                _counters.DiffsStale++;
                if (!_firstAfterSnapshot && (fields.Id < id || ++_repeats >= MaxRepeats))
                {
                    // The stream went back behind the book (or keeps repeating it): either the book's id came from a
                    // bad message (an id far ahead that applied), or the stream is replaying old data. Dropping what
                    // follows would freeze the book in sync: it is a gap, and the book resyncs.
                    _counters.SequenceBackwards++;
                    GapAt(id, fields.Id, m.ExchangeTime, m.ReceiveTime);
                    return BookOutcome.Gap;
                }
                return BookOutcome.Stale;
            case SequenceVerdict.Replace:
                return Sync(m);
            case SequenceVerdict.Gap:
                if (_firstAfterSnapshot && _buffers) _counters.SnapshotsStale++; // the snapshot was older than the stream
                var (expected, got) = _rule.GapIds(id, fields, _firstAfterSnapshot);
                GapAt(expected, got, m.ExchangeTime, m.ReceiveTime);
                if (_buffers) Buffer(m); // the next snapshot may bracket it
                return BookOutcome.Gap;
            default:
                _firstAfterSnapshot = false;
                _repeats = 0;
                return Apply(m);
        }
    }

    private BookOutcome Apply(BookMessage m)
    {
        for (int i = 0; i < m.Count; i++)
            Publish(m, i, m.TimeOf(i), m.FirstId, m.LastId, i == m.Count - 1 ? (long)RowFlags.LastInMessage : 0);
        _counters.LevelsApplied += m.Count;
        _counters.DiffsApplied++;
        Book.UpdateId = m.LastId;
        if (m.ExchangeTime != 0) _lastExchangeTime = m.ExchangeTime;
        if (Book.IsCrossed)
        {
            _counters.Crossed++;
            Invalidate(m.ReceiveTime, m.ExchangeTime, Book.UpdateId, 0);
            return BookOutcome.Invalid;
        }
        return CheckQueuedTickers(m.ReceiveTime, m.ExchangeTime) ? BookOutcome.Applied : BookOutcome.Invalid;
    }

    /// <summary>Applies level <paramref name="i"/> of <paramref name="m"/> to the book and publishes it as a level event.</summary>
    private void Publish(BookMessage m, int i, long exchangeTime, long firstId, long lastId, long flags)
    {
        ref readonly var l = ref m[i];
        Book.Set((BookSide)l.Side, l.Price, l.Quantity);
        ref var e = ref _publisher.Claim();
        e.Kind = EventKind.BookDelta;
        e.InstrumentId = _instrument.Id;
        e.Side = l.Side;
        e.ExchangeTime = exchangeTime;
        e.ReceiveTime = m.ReceiveTime;
        e.Price = l.Price;
        e.Quantity = l.Quantity;
        e.Id = firstId;
        e.Id2 = lastId;
        e.Flags = flags;
    }

    /// <summary>
    /// A snapshot asked for apart from the stream (<c>m.LastId</c> is its id). As Binance's procedure asks, it is
    /// checked against the buffered updates before it is used: with none received yet it is held until the first
    /// shows whether it is recent enough (a snapshot older than the stream's first update would otherwise be published
    /// and broken at once). Ignored while the book is in sync.
    /// </summary>
    public void OnSnapshot(BookMessage m)
    {
        _counters.RestSnapshots++;
        if (_synced) return; // the book is in sync: a snapshot is not needed
        (_held ??= new BookMessage()).CopyFrom(m);
        _holding = true;
        TrySyncHeld();
    }

    /// <summary>
    /// A whole book that stands outside the update sequence (Binance's partial-depth frames, which have no updates):
    /// it replaces the book at once, whatever came before.
    /// </summary>
    public void Replace(BookMessage m)
    {
        OnDisconnect();
        Sync(m);
    }

    /// <summary>Syncs the book from the held snapshot if the buffered updates show it can be used.</summary>
    private void TrySyncHeld()
    {
        var held = _held!;
        long id = held.LastId;
        while (_pendingCount > 0)
        {
            var first = _pending[_pendingStart]!;
            var verdict = _rule.Check(id, first.Fields, firstAfterSnapshot: true);
            if (verdict == SequenceVerdict.Stale)
            {
                // The snapshot already holds it.
                _lastDiscardedTime = first.ExchangeTime;
                _counters.DiffsStale++;
                PopPending();
                continue;
            }
            _holding = false;
            if (verdict == SequenceVerdict.Gap)
            {
                // The snapshot is older than the updates kept: a fresher one is needed.
                _counters.SnapshotsStale++;
                _requester?.Request(_instrument);
                return;
            }
            Sync(held);
            return;
        }
        // No update to check it against yet: held.
    }

    private BookOutcome Sync(BookMessage m)
    {
        long last = m.LastId;
        long time = m.ExchangeTime != 0 ? m.ExchangeTime
            : _lastDiscardedTime != 0 ? _lastDiscardedTime
            : _pendingCount > 0 ? _pending[_pendingStart]!.ExchangeTime : m.ReceiveTime;
        Book.Clear();
        for (int i = 0; i < m.Count; i++)
        {
            long flags = (long)RowFlags.FromSnapshot;
            if (i == 0) flags |= (long)RowFlags.SnapshotBegins;
            if (i == m.Count - 1) flags |= (long)RowFlags.LastInMessage;
            Publish(m, i, time, last, last, flags);
        }
        if (m.Count == 0)
        {
            // An empty snapshot: the book is empty, stored as a reset.
            ref var e = ref _publisher.Claim();
            e.Kind = EventKind.BookDelta;
            e.InstrumentId = _instrument.Id;
            e.ExchangeTime = time;
            e.ReceiveTime = m.ReceiveTime;
            e.Id = e.Id2 = last;
            e.Flags = (long)(RowFlags.BookReset | RowFlags.SnapshotBegins | RowFlags.FromSnapshot | RowFlags.LastInMessage);
        }
        Book.UpdateId = last;
        _lastExchangeTime = time;
        _repeats = 0;
        bool wasSynced = _synced;
        _synced = true;
        _firstAfterSnapshot = true;
        _counters.Syncs++;
        DropTickers(); // quotes stated against the old book cannot be judged against this one
        if (!wasSynced)
        {
            // The book comes (back) in sync: a marker. A snapshot that replaces a book in sync (a venue whose every
            // message is a snapshot, as Bybit's orderbook.1) lost nothing: its rows say what it is, no marker.
            if (_everSynced) _counters.Resyncs++;
            _everSynced = true;
            Status(StatusKind.Resync, m.ReceiveTime, time, last, 0);
        }
        else _counters.SnapshotsInSync++;
        // Replay what was buffered, in order, under the rule.
        while (_pendingCount > 0 && _synced)
        {
            var replay = _replay ??= new BookMessage();
            replay.CopyFrom(_pending[_pendingStart]!); // a gap while replaying buffers the message again
            PopPending();
            Process(replay);
        }
        if (!_synced) return BookOutcome.Gap;
        if (Book.IsCrossed)
        {
            _counters.Crossed++;
            Invalidate(m.ReceiveTime, time, last, 0);
            return BookOutcome.Invalid;
        }
        return BookOutcome.Replaced;
    }

    /// <summary>
    /// A best bid/ask the venue states at update id <paramref name="updateId"/> (Binance's <c>bookTicker</c>). It is
    /// compared with the book when the book's id equals it: at once if the book is there already, or, since quotes are
    /// real-time and updates batched, when the update ending at that id is applied. A quote whose id no applied update
    /// ends at is not comparable (counted unchecked). A mismatch invalidates the book.
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
        if (_tickers.Length == 0) _tickers = new Ticker[1024];
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

    private Ticker[] _tickers = []; // made on the first quote: most venues state none
    private int _tickerStart;
    private int _tickerCount;

    /// <summary>Compares the queued quotes the book has now reached; false when one disagreed (the book is invalid).</summary>
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

    /// <summary>The connection carrying the book was lost: it cannot be trusted until a new snapshot (no marker: the session marker says it).</summary>
    public void OnDisconnect()
    {
        DropTickers();
        _holding = false;
        _synced = false;
        _firstAfterSnapshot = false;
        _pendingCount = 0;
        _pendingStart = 0;
    }

    /// <summary>
    /// Something before the book's next message is missing, found outside the book's own sequence (Coinbase numbers a
    /// connection's messages, not a book's): a gap marker (expected, got), out of sync, a fresh snapshot asked for.
    /// Nothing when the book is out of sync already.
    /// </summary>
    public void Gap(long expected, long got, long exchangeNs, long receiveNs)
    {
        if (_synced) GapAt(expected, got, exchangeNs, receiveNs);
    }

    private void GapAt(long expected, long got, long exchangeNs, long receiveNs)
    {
        _counters.Gaps++;
        Status(StatusKind.SequenceGap, receiveNs, exchangeNs, expected, got);
        Unsync();
    }

    /// <summary>
    /// A check against the exchange failed (a checksum, a best bid/ask), or the book crossed: an invalid-book marker
    /// (<paramref name="a"/>, <paramref name="b"/>: what was compared), out of sync, a fresh snapshot asked for.
    /// Nothing when the book is out of sync already.
    /// </summary>
    public void Invalidate(long receiveNs, long exchangeNs, long a, long b)
    {
        if (!_synced) return;
        Status(StatusKind.BookInvalid, receiveNs, exchangeNs, a, b);
        Unsync();
    }

    private void Unsync()
    {
        DropTickers();
        _synced = false;
        _firstAfterSnapshot = false;
        _pendingCount = 0;
        _pendingStart = 0;
        _requester?.Request(_instrument);
    }

    /// <summary>Exchange time of the last message applied or synced (where a republished snapshot is stamped).</summary>
    private long _lastExchangeTime;

    public bool CanRescale(int fromPrice, int fromQuantity, int toPrice, int toQuantity)
    {
        if (!Book.CanRescale(fromPrice, fromQuantity, toPrice, toQuantity)) return false;
        for (int k = 0; k < _pendingCount; k++)
            if (!_pending[(_pendingStart + k) % MaxPending]!.CanRescale(fromPrice, fromQuantity, toPrice, toQuantity)) return false;
        return !_holding || _held!.CanRescale(fromPrice, fromQuantity, toPrice, toQuantity);
    }

    /// <summary>
    /// The instrument moved to other scales: the book, the buffered updates and a held snapshot move with it, quotes
    /// waiting for their check are dropped (unchecked), and a book in sync republishes itself as a snapshot at the new
    /// scales (no resync marker: nothing was lost), so every book rebuilt downstream continues from it.
    /// </summary>
    public void Rescale(int fromPrice, int fromQuantity, int toPrice, int toQuantity, long receiveNs)
    {
        Book.Rescale(fromPrice, fromQuantity, toPrice, toQuantity);
        for (int k = 0; k < _pendingCount; k++) _pending[(_pendingStart + k) % MaxPending]!.Rescale(fromPrice, fromQuantity, toPrice, toQuantity);
        if (_holding) _held!.Rescale(fromPrice, fromQuantity, toPrice, toQuantity);
        DropTickers();
        if (!_synced) return;
        long time = _lastExchangeTime != 0 ? _lastExchangeTime : receiveNs;
        var (bp, bq) = Book.Levels(BookSide.Bid);
        var (ap, aq) = Book.Levels(BookSide.Ask);
        int total = bp.Length + ap.Length;
        long id = Book.UpdateId;
        if (total == 0)
        {
            ref var e = ref _publisher.Claim();
            e.Kind = EventKind.BookDelta;
            e.InstrumentId = _instrument.Id;
            e.ExchangeTime = time;
            e.ReceiveTime = receiveNs;
            e.Id = e.Id2 = id;
            e.Flags = (long)(RowFlags.BookReset | RowFlags.SnapshotBegins | RowFlags.FromSnapshot | RowFlags.LastInMessage);
            return;
        }
        for (int i = 0; i < total; i++)
        {
            bool bid = i < bp.Length;
            int j = bid ? i : i - bp.Length;
            ref var e = ref _publisher.Claim();
            e.Kind = EventKind.BookDelta;
            e.InstrumentId = _instrument.Id;
            e.Side = (byte)(bid ? BookSide.Bid : BookSide.Ask);
            e.ExchangeTime = time;
            e.ReceiveTime = receiveNs;
            e.Price = bid ? bp[j] : ap[j];
            e.Quantity = bid ? bq[j] : aq[j];
            e.Id = e.Id2 = id;
            long flags = (long)RowFlags.FromSnapshot;
            if (i == 0) flags |= (long)RowFlags.SnapshotBegins;
            if (i == total - 1) flags |= (long)RowFlags.LastInMessage;
            e.Flags = flags;
        }
    }

    private void Status(StatusKind kind, long receiveNs, long exchangeNs, long a, long b) => _publisher.Status(_instrument.Id, kind, receiveNs, exchangeNs, a, b);

    private void Buffer(BookMessage m)
    {
        _counters.DiffsBuffered++;
        if (_pendingCount == MaxPending)
        {
            // Bounded: the oldest buffered update goes (a snapshot newer than it is needed anyway).
            PopPending();
        }
        int slot = (_pendingStart + _pendingCount) % MaxPending;
        (_pending[slot] ??= new BookMessage()).CopyFrom(m);
        _pendingCount++;
    }

    private void PopPending()
    {
        _pendingStart = (_pendingStart + 1) % MaxPending;
        _pendingCount--;
    }
}
