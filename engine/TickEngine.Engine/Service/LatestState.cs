using TickEngine.Engine.Book;
using TickEngine.Engine.Events;
using TickEngine.Engine.Ingest;
using TickEngine.Engine.Ring;

namespace TickEngine.Engine.Service;

/// <summary>What <see cref="LatestState"/> holds of one instrument at a moment: its last trades (newest last), its book's top levels (best first), its last quote.</summary>
public sealed record LatestSnapshot(Instrument Instrument, bool BookInSync, long BookTime,
    IReadOnlyList<(long Time, long Price, long Quantity, byte Side)> Trades,
    IReadOnlyList<(long Price, long Quantity)> Bids, IReadOnlyList<(long Price, long Quantity)> Asks,
    (long Time, long Bid, long BidQuantity, long Ask, long AskQuantity)? Quote);

/// <summary>
/// The latest state of every instrument of a live recording, kept by a handler on its ring: the last trades, the book
/// rebuilt from the published level changes (in sync or not, as the markers say) and the last quote. Its handler
/// thread writes, any thread reads a <see cref="Find"/> snapshot (a lock per instrument); nothing allocated per event.
/// </summary>
public sealed class LatestState(InstrumentRegistry registry, int trades = 50) : IValueEventHandler<MarketEvent>
{
    private sealed class Slot(int trades)
    {
        public readonly Lock Lock = new();
        public readonly (long Time, long Price, long Quantity, byte Side)[] Trades = new (long, long, long, byte)[trades];
        public int Start, Count;
        public readonly BookRebuilder Book = new();
        public (long Time, long Bid, long BidQuantity, long Ask, long AskQuantity)? Quote;
    }

    private Slot?[] _slots = new Slot?[16];
    private readonly Lock _grow = new();

    private Slot SlotOf(int id)
    {
        var slots = Volatile.Read(ref _slots);
        if (id < slots.Length && slots[id] is { } s) return s;
        lock (_grow)
        {
            if (id >= _slots.Length) Array.Resize(ref _slots, Math.Max(id + 1, _slots.Length * 2));
            return _slots[id] ??= new Slot(trades);
        }
    }

    public void OnEvent(ref MarketEvent e, long sequence, bool endOfBatch)
    {
        if (e.Kind is not (EventKind.Trade or EventKind.BookDelta or EventKind.Status or EventKind.BookTicker)) return;
        var s = SlotOf(e.InstrumentId);
        lock (s.Lock)
        {
            switch (e.Kind)
            {
                case EventKind.Trade:
                    int at = (s.Start + s.Count) % s.Trades.Length;
                    s.Trades[at] = (e.ExchangeTime, e.Price, e.Quantity, e.Side);
                    if (s.Count < s.Trades.Length) s.Count++; else s.Start = (s.Start + 1) % s.Trades.Length;
                    break;
                case EventKind.BookTicker:
                    s.Quote = (e.ExchangeTime, e.BidPrice, e.BidQuantity, e.AskPrice, e.AskQuantity);
                    break;
                default:
                    s.Book.Apply(e);
                    break;
            }
        }
    }

    public void OnShutdown() { }

    /// <summary>The instrument's state now (its book to <paramref name="depth"/> levels a side), or null when it is not recorded.</summary>
    public LatestSnapshot? Find(string exchange, string symbol, int depth)
    {
        var inst = registry.All.FirstOrDefault(i => string.Equals(i.Exchange, exchange, StringComparison.OrdinalIgnoreCase) && string.Equals(i.Symbol, symbol, StringComparison.OrdinalIgnoreCase));
        if (inst is null) return null;
        var s = SlotOf(inst.Id);
        lock (s.Lock)
        {
            var list = new List<(long, long, long, byte)>(s.Count);
            for (int i = 0; i < s.Count; i++) list.Add(s.Trades[(s.Start + i) % s.Trades.Length]);
            var (bp, bq) = s.Book.Book.Levels(Storage.Format.BookSide.Bid);
            var (ap, aq) = s.Book.Book.Levels(Storage.Format.BookSide.Ask);
            var bids = Enumerable.Range(0, Math.Min(depth, bp.Length)).Select(i => (bp[i], bq[i])).ToList();
            var asks = Enumerable.Range(0, Math.Min(depth, ap.Length)).Select(i => (ap[i], aq[i])).ToList();
            return new LatestSnapshot(inst, s.Book.Valid && s.Book.Consistent, s.Book.Time, list, bids, asks, s.Quote);
        }
    }
}
