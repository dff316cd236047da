using TickEngine.Engine.Book;
using TickEngine.Engine.Events;
using TickEngine.Engine.Ingest;
using TickEngine.Storage.Format;

namespace TickEngine.Engine.Venues;

/// <summary>
/// The book lifecycle of a venue that sends its snapshots in the stream (Bybit, OKX, Coinbase): a snapshot replaces
/// the book and brings it in sync (a resync marker after the first); updates apply while it is in sync and are
/// dropped (counted) while it is not; a gap (the venue's <see cref="ISequenceRule"/> said so), a crossed book or a
/// failed check against the exchange (a checksum, a ticker) publishes a marker and puts it out of sync until the
/// next snapshot. Every level change is published as a <see cref="EventKind.BookDelta"/> with the message's id.
/// Producer thread only.
/// </summary>
public sealed class StreamBook(Instrument instrument, EventPublisher publisher, IngestCounters counters)
{
    private bool _everSynced;

    public OrderBook Book { get; } = new();
    public bool IsSynced { get; private set; }
    public Instrument Instrument => instrument;

    /// <summary>Starts a snapshot with id <paramref name="id"/>: the book is cleared; its levels follow with <see cref="Level"/>.</summary>
    public void BeginSnapshot(long id, long exchangeNs, long receiveNs)
    {
        Book.Clear();
        Book.UpdateId = id;
        counters.Syncs++;
        if (_everSynced) counters.Resyncs++;
        _everSynced = true;
        IsSynced = true;
        _snapshotFirst = true;
        Status(StatusKind.Resync, receiveNs, exchangeNs, id, 0);
    }

    private bool _snapshotFirst;

    /// <summary>
    /// One level of the current message (a snapshot's or an update's): applied and published when the book is in
    /// sync; dropped otherwise. <paramref name="last"/> marks the message's last level.
    /// </summary>
    public void Level(BookSide side, long price, long quantity, long id, long exchangeNs, long receiveNs, bool snapshot, bool last)
    {
        if (!IsSynced) return;
        Book.Set(side, price, quantity);
        long flags = 0;
        if (snapshot)
        {
            flags |= (long)RowFlags.FromSnapshot;
            if (_snapshotFirst) flags |= (long)RowFlags.SnapshotBegins;
            _snapshotFirst = false;
        }
        if (last) flags |= (long)RowFlags.LastInMessage;
        ref var e = ref publisher.Claim();
        e.Kind = EventKind.BookDelta;
        e.InstrumentId = instrument.Id;
        e.Side = (byte)side;
        e.ExchangeTime = exchangeNs;
        e.ReceiveTime = receiveNs;
        e.Price = price;
        e.Quantity = quantity;
        e.Id = id;
        e.Id2 = id;
        e.Flags = flags;
        counters.LevelsApplied++;
    }

    /// <summary>The end of a message whose levels were given: the book's id moves on; a crossed book is invalid.</summary>
    public void EndMessage(long id, long exchangeNs, long receiveNs, bool snapshot)
    {
        if (!IsSynced) { counters.DiffsStale++; return; }
        if (snapshot && _snapshotFirst)
        {
            // An empty snapshot: the book is empty, stored as a reset.
            ref var e = ref publisher.Claim();
            e.Kind = EventKind.BookDelta;
            e.InstrumentId = instrument.Id;
            e.ExchangeTime = exchangeNs;
            e.ReceiveTime = receiveNs;
            e.Id = e.Id2 = id;
            e.Flags = (long)(RowFlags.BookReset | RowFlags.SnapshotBegins | RowFlags.FromSnapshot | RowFlags.LastInMessage);
            _snapshotFirst = false;
        }
        Book.UpdateId = id;
        if (!snapshot) counters.DiffsApplied++;
        if (Book.IsCrossed)
        {
            counters.Crossed++;
            Invalidate(receiveNs, exchangeNs, id, 0);
        }
    }

    /// <summary>Something before this message is missing: a gap marker (expected, got) and out of sync until a snapshot.</summary>
    public void Gap(long expected, long got, long exchangeNs, long receiveNs)
    {
        if (!IsSynced) return;
        counters.Gaps++;
        Status(StatusKind.SequenceGap, receiveNs, exchangeNs, expected, got);
        IsSynced = false;
    }

    /// <summary>A check against the exchange failed (or the book crossed): an invalid-book marker and out of sync until a snapshot.</summary>
    public void Invalidate(long receiveNs, long exchangeNs, long a, long b)
    {
        if (!IsSynced) return;
        Status(StatusKind.BookInvalid, receiveNs, exchangeNs, a, b);
        IsSynced = false;
    }

    /// <summary>The connection carrying the book was lost: out of sync (no marker: the session marker says it).</summary>
    public void OnDisconnect() => IsSynced = false;

    private void Status(StatusKind kind, long receiveNs, long exchangeNs, long a, long b) => publisher.Status(instrument.Id, kind, receiveNs, exchangeNs, a, b);
}
