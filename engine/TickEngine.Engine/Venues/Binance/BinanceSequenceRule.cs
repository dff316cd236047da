namespace TickEngine.Engine.Venues.Binance;

/// <summary>
/// Binance's diff-depth rules (docs/exchange-protocols.md), for a book brought to <c>lastUpdateId</c> by a REST
/// snapshot (<see cref="SnapshotSource.Requested"/>: diffs are buffered until it arrives). The first diff after the
/// snapshot: one with <c>u &lt;= lastUpdateId</c> (spot) or <c>u &lt; lastUpdateId</c> (futures) is stale; the first
/// kept must bracket it: spot <c>U &lt;= id + 1 &lt;= u</c>; futures <c>U &lt;= id &lt;= u</c> (Binance's rule) or
/// <c>pu == id</c> (the diff that follows the one ending at <c>id</c>: its previous id says the book it applies to is
/// exactly the snapshot's). Then each diff must follow the previous one: spot <c>U &lt;= u + 1</c>, futures
/// <c>pu == u</c>; a diff with <c>u</c> at or below the book's is stale. Gap markers store (expected, got): spot
/// (<c>u</c> + 1, <c>U</c>); futures (<c>u</c>, <c>pu</c>), or (<c>u</c>, <c>U</c>) on the first diff.
/// </summary>
public sealed class BinanceSequenceRule : ISequenceRule
{
    public static readonly BinanceSequenceRule Spot = new(futures: false), Futures = new(futures: true);

    private readonly bool _futures;

    private BinanceSequenceRule(bool futures) => _futures = futures;

    public SnapshotSource Snapshots => SnapshotSource.Requested;

    public SequenceVerdict Check(long id, in SequenceFields m, bool firstAfterSnapshot)
    {
        // m.First is U, m.Id is u, m.Previous is pu (futures).
        if (m.Snapshot) return SequenceVerdict.Replace; // a partial-depth frame: a whole top-N book
        if (id < 0) return SequenceVerdict.Gap;
        if (firstAfterSnapshot)
        {
            if (_futures ? m.Id < id : m.Id <= id) return SequenceVerdict.Stale;
            bool brackets = _futures ? (m.First <= id && m.Id >= id) || m.Previous == id : m.First <= id + 1 && m.Id >= id + 1;
            return brackets ? SequenceVerdict.Apply : SequenceVerdict.Gap;
        }
        if (m.Id <= id) return SequenceVerdict.Stale; // a duplicate or an old message
        return (_futures ? m.Previous != id : m.First > id + 1) ? SequenceVerdict.Gap : SequenceVerdict.Apply;
    }

    public (long Expected, long Got) GapIds(long id, in SequenceFields m, bool firstAfterSnapshot) =>
        (_futures ? id : id + 1, _futures && !firstAfterSnapshot ? m.Previous : m.First);
}
