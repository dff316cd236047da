using TickEngine.Engine.Events;
using TickEngine.Engine.Ingest;
using TickEngine.Storage.Format;

namespace TickEngine.Engine.Venues;

/// <summary>
/// What every stream venue does with a parsed trade: a repeat (an id not above the last, no later in time) is
/// dropped and counted; an id that goes back with a later time is stored and counted; the stored (taker) side is
/// judged against the book at that instant (a trade at or above the best ask was bought, at or below the best bid
/// sold); the trade is published. Producer thread only; allocation-free.
/// </summary>
public sealed class VenueTrades(EventPublisher publisher, IngestCounters counters)
{
    private long[] _lastId = new long[16];
    private long[] _lastTime = new long[16];

    /// <param name="book">The instrument's book, if any; <paramref name="judge"/> false for trades the book cannot speak for (history).</param>
    public void Publish(Instrument inst, long id, long price, long quantity, long exchangeNs, long receiveNs, byte side, StreamBook? book, bool judge = true)
    {
        ref long lastId = ref InstrumentSlots.At(ref _lastId, inst.Id);
        ref long lastTime = ref InstrumentSlots.At(ref _lastTime, inst.Id);
        if (lastId != 0 && id <= lastId)
        {
            if (exchangeNs <= lastTime) { counters.DuplicateTrades++; return; }
            counters.TradeIdsBackwards++;
        }
        lastId = id;
        lastTime = exchangeNs;
        Judge(price, side, judge ? book : null);
        ref var e = ref publisher.Claim();
        e.Kind = EventKind.Trade;
        e.InstrumentId = inst.Id;
        e.ExchangeTime = exchangeNs;
        e.ReceiveTime = receiveNs;
        e.Price = price;
        e.Quantity = quantity;
        e.Id = id;
        e.Side = side;
        counters.TradeEvents++;
    }

    private void Judge(long price, byte side, StreamBook? book)
    {
        if (book is null || !book.IsSynced || !book.Book.TryBestBid(out long bid, out _) || !book.Book.TryBestAsk(out long ask, out _))
        {
            counters.TradeSideUnchecked++;
            return;
        }
        byte expected = price >= ask ? (byte)TradeSide.Buy : price <= bid ? (byte)TradeSide.Sell : (byte)TradeSide.Unknown;
        if (expected == (byte)TradeSide.Unknown) counters.TradeSideUnchecked++;
        else if (expected == side) counters.TradeSideMatchesBook++;
        else counters.TradeSideAgainstBook++;
    }

    /// <summary>A trade id sent as decimal digits (at most 18, so it fits an int64).</summary>
    public static bool TryInteger(ReadOnlySpan<byte> text, out long value)
    {
        value = 0;
        if (text.IsEmpty || text.Length > 18) return false;
        foreach (byte b in text)
        {
            uint d = (uint)(b - '0');
            if (d > 9) return false;
            value = value * 10 + d;
        }
        return true;
    }

    /// <summary>
    /// A session marker for every instrument of <paramref name="exchange"/>; a disconnect also puts their books out
    /// of sync (when <paramref name="books"/>).
    /// </summary>
    public static void PublishSession(InstrumentRegistry registry, EventPublisher publisher, string exchange, StatusKind kind, long receiveNs, bool books, StreamBook?[] bookSlots)
    {
        foreach (var inst in registry.All)
        {
            if (inst.Exchange != exchange) continue;
            publisher.Status(inst.Id, kind, receiveNs);
            if (kind == StatusKind.Disconnect && books && inst.Id < bookSlots.Length) bookSlots[inst.Id]?.OnDisconnect();
        }
        publisher.Publish();
    }
}
