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
/// sends none); <see cref="Snapshot"/> is true for a message that holds a whole book.
/// </summary>
public readonly record struct SequenceFields(long Id, long Previous, bool Snapshot);

/// <summary>
/// A venue's rule for book continuity, asked once per book message with the book's last id (-1 when the book has
/// none yet). Pure: no state of its own, so one instance serves every book of the venue. The lifecycle around it
/// (snapshot, apply, gap marker, resync, invalid book) is the same for every venue.
/// </summary>
public interface ISequenceRule
{
    SequenceVerdict Check(long bookId, in SequenceFields message);
}

/// <summary>
/// Bybit v5 <c>orderbook.N</c>: a <c>snapshot</c> message, or a delta with <c>u</c> = 1 (the service restarted its
/// book), replaces the book; otherwise <c>u</c> must be the book's <c>u</c> + 1. A lower or equal <c>u</c> is stale.
/// </summary>
public sealed class BybitSequenceRule : ISequenceRule
{
    public static readonly BybitSequenceRule Instance = new();

    public SequenceVerdict Check(long bookId, in SequenceFields m)
    {
        if (m.Snapshot || m.Id == 1) return SequenceVerdict.Replace;
        if (bookId < 0) return SequenceVerdict.Gap; // a delta with no book under it
        if (m.Id <= bookId) return SequenceVerdict.Stale;
        return m.Id == bookId + 1 ? SequenceVerdict.Apply : SequenceVerdict.Gap;
    }
}

/// <summary>
/// OKX v5 <c>books</c>: a snapshot carries <c>prevSeqId</c> -1 and replaces the book; an update applies when its
/// <c>prevSeqId</c> equals the book's <c>seqId</c> (an update whose <c>seqId</c> equals its <c>prevSeqId</c> changes
/// nothing and still applies: it carries a checksum). An update whose <c>seqId</c> the book has passed is stale. Frames
/// captured before OKX added the fields carry neither (<see cref="SequenceFields.Id"/> -1): only the checksum can
/// then tell a gap, and the rule applies them in order.
/// </summary>
public sealed class OkxSequenceRule : ISequenceRule
{
    public static readonly OkxSequenceRule Instance = new();

    public SequenceVerdict Check(long bookId, in SequenceFields m)
    {
        if (m.Snapshot) return SequenceVerdict.Replace;
        if (m.Id < 0 && m.Previous < 0) return SequenceVerdict.Apply; // no sequence fields: the checksum is the check
        if (bookId < 0) return SequenceVerdict.Gap;
        if (m.Previous == bookId) return SequenceVerdict.Apply;
        if (m.Id < bookId || (m.Id == bookId && m.Previous < bookId)) return SequenceVerdict.Stale;
        return SequenceVerdict.Gap;
    }
}

/// <summary>
/// Coinbase Advanced Trade: <c>sequence_num</c> numbers every message of a connection across all its channels, so
/// continuity is per connection, not per book: each message must be the last + 1; a repeat is stale; a skip is a
/// gap for every book of that connection (resynced by subscribing again, which sends new snapshots). The first
/// message of a connection starts the count.
/// </summary>
public sealed class CoinbaseSequenceRule : ISequenceRule
{
    public static readonly CoinbaseSequenceRule Instance = new();

    public SequenceVerdict Check(long connectionId, in SequenceFields m)
    {
        if (connectionId < 0) return SequenceVerdict.Apply;
        if (m.Id <= connectionId) return SequenceVerdict.Stale;
        return m.Id == connectionId + 1 ? SequenceVerdict.Apply : SequenceVerdict.Gap;
    }
}
