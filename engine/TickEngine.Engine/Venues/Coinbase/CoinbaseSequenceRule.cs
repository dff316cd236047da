namespace TickEngine.Engine.Venues.Coinbase;

/// <summary>
/// Coinbase Advanced Trade: <c>sequence_num</c> numbers every message of a connection across all its channels, so
/// continuity is per connection, not per book: each message must be the last + 1; a repeat is stale; a skip is a
/// gap for every book of that connection (resynced by subscribing again, which sends new snapshots). The first
/// message of a connection starts the count. <see cref="Books"/> is the rule each book then follows.
/// </summary>
public sealed class CoinbaseSequenceRule : ISequenceRule
{
    public static readonly CoinbaseSequenceRule Instance = new();

    /// <summary>Per book: a snapshot replaces it; an update applies (its continuity was judged on the connection first).</summary>
    public static readonly ISequenceRule Books = new PerBook();

    public SequenceVerdict Check(long connectionId, in SequenceFields m, bool firstAfterSnapshot = false)
    {
        if (connectionId < 0) return SequenceVerdict.Apply;
        if (m.Id <= connectionId) return SequenceVerdict.Stale;
        return m.Id == connectionId + 1 ? SequenceVerdict.Apply : SequenceVerdict.Gap;
    }

    private sealed class PerBook : ISequenceRule
    {
        public SequenceVerdict Check(long bookId, in SequenceFields m, bool firstAfterSnapshot) =>
            m.Snapshot ? SequenceVerdict.Replace : bookId < 0 ? SequenceVerdict.Gap : SequenceVerdict.Apply;
    }
}
