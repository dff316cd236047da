namespace TickEngine.Engine.Venues;

/// <summary>
/// A venue's rule for book continuity, asked once per book message with the book's last id (-1 when the book has
/// none yet). Pure: no state of its own, so one instance serves every book of the venue. The lifecycle around it
/// (<see cref="BookLifecycle"/>: buffer, snapshot, apply, gap marker, resync, invalid book, cross-checks) is the same
/// for every venue. Each venue's rule lives in its folder.
/// </summary>
public interface ISequenceRule
{
    /// <summary>
    /// The verdict on <paramref name="message"/> for a book at <paramref name="bookId"/> (-1: no book);
    /// <paramref name="firstAfterSnapshot"/> is true for the first update after a snapshot, which some venues judge by
    /// another rule (Binance: it must bracket the snapshot's id).
    /// </summary>
    SequenceVerdict Check(long bookId, in SequenceFields message, bool firstAfterSnapshot);

    /// <summary>The two ids a gap marker stores: the id the book expected and the one the message gave.</summary>
    (long Expected, long Got) GapIds(long bookId, in SequenceFields message, bool firstAfterSnapshot) => (bookId + 1, message.First);

    /// <summary>Where this venue's snapshots come from.</summary>
    SnapshotSource Snapshots => SnapshotSource.InStream;
}
