using TickEngine.Engine.Events;
using TickEngine.Storage.Format;

namespace TickEngine.Engine.Research;

/// <summary>
/// A book from L2 samples when no deltas were recorded: each stored sample (top N per side, replayed as row parts)
/// becomes level changes against the previous sample (the first one a snapshot), so the simulated exchange and the
/// queue models see a book that changes rather than one rebuilt each time. Only the top N levels exist: a taker order
/// larger than they hold is partly filled, and the report says the book came from samples. Reuses its buffers.
/// </summary>
public sealed class L2SampleBook(int depth)
{
    /// <summary>Something that takes the book's events one by one (the backtest, the slippage analysis).</summary>
    public interface ISink
    {
        void Handle(in MarketEvent e);
    }

    private readonly List<MarketEvent> _routed = new();

    /// <summary>
    /// One replayed event to <paramref name="sink"/>: a row part of an L2 sample goes through <paramref name="book"/>
    /// (when there is one) and its level changes follow; any other event goes as it is.
    /// </summary>
    public static void Route(L2SampleBook? book, in MarketEvent e, ISink sink)
    {
        if (e.Kind != EventKind.RowPart) { sink.Handle(e); return; }
        if (book is null || !book.Add(e, book._routed)) return;
        foreach (var change in book._routed) sink.Handle(change);
    }

    private readonly RowAssembler _assembler = new();
    private readonly Dictionary<long, long> _bids = new(), _asks = new();
    private readonly List<(BookSide Side, long Price, long Quantity)> _changes = new();
    private bool _have;

    public int Depth => depth;
    public long Samples { get; private set; }

    /// <summary>Takes one replayed row part; when it completes an L2 sample, writes its level changes as events to <paramref name="output"/>.</summary>
    public bool Add(in MarketEvent part, List<MarketEvent> output)
    {
        output.Clear();
        if (!_assembler.Add(part, out var row, out var schema) || schema != SchemaKind.L2) return false;
        Samples++;
        long t = row[L2Columns.ExchangeTime], r = row[L2Columns.ReceiveTime];
        int bids = (int)Math.Min(depth, row[L2Columns.BidCount]), asks = (int)Math.Min(depth, row[L2Columns.AskCount]);
        _changes.Clear();
        Diff(BookSide.Bid, _bids, row, bids, i => L2Columns.BidPrice(i));
        Diff(BookSide.Ask, _asks, row, asks, i => L2Columns.AskPrice(depth, i));
        bool snapshot = !_have;
        _have = true;
        if (snapshot && _changes.Count == 0)
        {
            output.Add(new MarketEvent { Kind = EventKind.BookDelta, InstrumentId = part.InstrumentId, ExchangeTime = t, ReceiveTime = r,
                Flags = (long)(RowFlags.BookReset | RowFlags.SnapshotBegins | RowFlags.FromSnapshot | RowFlags.LastInMessage) });
            return true;
        }
        for (int i = 0; i < _changes.Count; i++)
        {
            var (side, price, qty) = _changes[i];
            long flags = snapshot ? (long)RowFlags.FromSnapshot | (i == 0 ? (long)RowFlags.SnapshotBegins : 0) : 0;
            if (i == _changes.Count - 1) flags |= (long)RowFlags.LastInMessage;
            output.Add(new MarketEvent { Kind = EventKind.BookDelta, InstrumentId = part.InstrumentId, Side = (byte)side, Price = price, Quantity = qty,
                ExchangeTime = t, ReceiveTime = r, Id = row[L2Columns.UpdateId], Id2 = row[L2Columns.UpdateId], Flags = flags });
        }
        return output.Count > 0;
    }

    private void Diff(BookSide side, Dictionary<long, long> book, ReadOnlySpan<long> row, int count, Func<int, int> column)
    {
        var seen = new HashSet<long>(); // per sample; samples are rare (one a second by default)
        for (int i = 0; i < count; i++)
        {
            long px = row[column(i)], q = row[column(i) + 1];
            if (px <= 0 || q <= 0) continue;
            seen.Add(px);
            if (!book.TryGetValue(px, out long old) || old != q) { _changes.Add((side, px, q)); book[px] = q; }
        }
        foreach (var px in book.Keys.Where(p => !seen.Contains(p)).ToList())
        {
            _changes.Add((side, px, 0));
            book.Remove(px);
        }
    }
}
