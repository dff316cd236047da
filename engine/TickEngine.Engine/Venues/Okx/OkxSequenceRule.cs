namespace TickEngine.Engine.Venues.Okx;

/// <summary>
/// OKX v5 <c>books</c>: a snapshot carries <c>prevSeqId</c> -1 and replaces the book; an update applies when its
/// <c>prevSeqId</c> equals the book's <c>seqId</c> (an update whose <c>seqId</c> equals its <c>prevSeqId</c> changes
/// nothing and still applies: it carries a checksum). An update whose <c>seqId</c> the book has passed is stale. Frames
/// captured before OKX added the fields carry no <c>prevSeqId</c> (<see cref="SequenceFields.Previous"/> -1 on an
/// update, which OKX never sends): only the checksum can then tell a gap, and the rule applies them in order. A gap
/// marker stores (book's <c>seqId</c>, message's <c>prevSeqId</c>).
/// </summary>
public sealed class OkxSequenceRule : ISequenceRule
{
    public static readonly OkxSequenceRule Instance = new();

    public SequenceVerdict Check(long bookId, in SequenceFields m, bool firstAfterSnapshot = false)
    {
        if (m.Snapshot) return SequenceVerdict.Replace;
        if (m.Previous < 0) return SequenceVerdict.Apply; // no sequence fields: the checksum is the check
        if (bookId < 0) return SequenceVerdict.Gap;
        if (m.Previous == bookId) return SequenceVerdict.Apply;
        if (m.Id < bookId || (m.Id == bookId && m.Previous < bookId)) return SequenceVerdict.Stale;
        return SequenceVerdict.Gap;
    }

    public (long Expected, long Got) GapIds(long bookId, in SequenceFields m, bool firstAfterSnapshot) => (bookId, m.Previous);
}
