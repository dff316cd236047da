namespace TickEngine.Engine.Venues;

/// <summary>What a venue's sequence rule says about one book message, given the id the book was last brought to.</summary>
public enum SequenceVerdict : byte
{
    /// <summary>The message follows the book: apply it.</summary>
    Apply,
    /// <summary>The book already holds it (a repeat or an older message): drop it, counted.</summary>
    Stale,
    /// <summary>Something between the book and this message is missing: a gap marker, and the book waits for a snapshot.</summary>
    Gap,
    /// <summary>A snapshot in the stream: it replaces the book.</summary>
    Replace,
}

/// <summary>
/// The sequence fields a book message carries, named as the venue-neutral lifecycle sees them. <see cref="Id"/> is the
/// id the book is at after the message; <see cref="Previous"/> the id the message says it follows (-1 when the venue
/// sends none); <see cref="Snapshot"/> is true for a message that holds a whole book; <see cref="First"/> the first
/// update id the message holds where it spans several (Binance's <c>U</c>), else its id.
/// </summary>
public readonly record struct SequenceFields(long Id, long Previous, bool Snapshot, long First = -1);

/// <summary>Where a venue's book snapshots come from.</summary>
public enum SnapshotSource : byte
{
    /// <summary>In the stream, before the updates that follow them (Bybit, OKX, Coinbase): updates with no book under them are dropped.</summary>
    InStream,
    /// <summary>Asked for apart from the stream (Binance's REST depth): updates are buffered until one arrives, then checked against it.</summary>
    Requested,
}

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
