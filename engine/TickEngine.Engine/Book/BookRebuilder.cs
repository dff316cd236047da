using TickEngine.Engine.Events;
using TickEngine.Storage.Format;

namespace TickEngine.Engine.Book;

/// <summary>
/// Keeps a book from level-change events and status markers exactly as the recorder wrote them: a snapshot
/// (snapshot-begins … last-in-message) clears and refills it and makes it valid; a sequence gap, an invalid-book
/// marker or a disconnect makes it invalid until the next complete snapshot. Between level changes of one
/// message the book is mid-update: <see cref="Consistent"/> says when it is whole. One thread.
/// </summary>
public sealed class BookRebuilder
{
    private bool _inSnapshot;

    public OrderBook Book { get; } = new();

    /// <summary>True when the book is in sync (a snapshot applied in full, no gap since).</summary>
    public bool Valid { get; private set; }

    /// <summary>True after the last level change of a message: the book is not mid-update.</summary>
    public bool Consistent { get; private set; }

    /// <summary>Exchange time of the last change applied.</summary>
    public long Time { get; private set; }

    /// <summary>Applies one event; returns true when it changed the book (or its validity).</summary>
    public bool Apply(in MarketEvent e)
    {
        if (e.Kind == EventKind.BookDelta)
        {
            long flags = e.Flags;
            if ((flags & (long)(RowFlags.SnapshotBegins | RowFlags.BookReset)) != 0)
            {
                Book.Clear();
                Valid = false;
                _inSnapshot = (flags & (long)RowFlags.SnapshotBegins) != 0;
            }
            if (e.Side != 0) Book.Set((BookSide)e.Side, e.Price, e.Quantity);
            Book.UpdateId = e.Id2;
            Time = e.ExchangeTime;
            Consistent = (flags & (long)RowFlags.LastInMessage) != 0;
            if (_inSnapshot && Consistent)
            {
                _inSnapshot = false;
                Valid = true;
            }
            return true;
        }
        // A scale change is followed at once by the book republished at the new scales: until then, out of sync.
        if (e.Kind == EventKind.Status && (StatusKind)e.Side is StatusKind.SequenceGap or StatusKind.BookInvalid or StatusKind.Disconnect or StatusKind.Damaged or StatusKind.ScaleChange)
        {
            Valid = false;
            _inSnapshot = false;
            return true;
        }
        return false;
    }
}
