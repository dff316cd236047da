namespace TickEngine.Engine.Venues.Bybit;

/// <summary>
/// Bybit v5 <c>orderbook.N</c>: a <c>snapshot</c> message, or a delta with <c>u</c> = 1 (the service restarted its
/// book), replaces the book; otherwise <c>u</c> must be the book's <c>u</c> + 1. A lower or equal <c>u</c> is stale.
/// A gap marker stores (book's <c>u</c> + 1, message's <c>u</c>).
/// </summary>
public sealed class BybitSequenceRule : ISequenceRule
{
    public static readonly BybitSequenceRule Instance = new();

    public SequenceVerdict Check(long bookId, in SequenceFields m, bool firstAfterSnapshot = false)
    {
        if (m.Snapshot || m.Id == 1) return SequenceVerdict.Replace;
        if (bookId < 0) return SequenceVerdict.Gap; // a delta with no book under it
        if (m.Id <= bookId) return SequenceVerdict.Stale;
        return m.Id == bookId + 1 ? SequenceVerdict.Apply : SequenceVerdict.Gap;
    }
}
