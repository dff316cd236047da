using TickEngine.Engine.Events;
using TickEngine.Engine.Ingest;
using TickEngine.Storage.Format;

namespace TickEngine.Engine.Venues;

/// <summary>
/// What every stream venue does with a parsed trade: a repeat is dropped and counted (integer ids: an id not above
/// the last, no later in time; text ids (<see cref="TradeIds"/>): an id among the instrument's last
/// <see cref="RecentTextIds"/>); an integer id that goes back with a later time is stored and counted; the stored
/// (taker) side is judged against the book at that instant (a trade at or above the best ask was bought, at or below
/// the best bid sold); the trade is published. Producer thread only; allocation-free.
/// </summary>
public sealed class VenueTrades(EventPublisher publisher, IngestCounters counters)
{
    /// <summary>Text ids remembered per instrument to recognise a repeat (a resent trade comes within moments).</summary>
    public const int RecentTextIds = 64;

    private long[] _lastId = new long[16];
    private long[] _lastTime = new long[16];
    private (long Hi, long Lo)[]?[] _recent = new (long, long)[]?[16];
    private int[] _recentNext = new int[16];

    /// <param name="book">The instrument's book, if any; <paramref name="judge"/> false for trades the book cannot speak for (history).</param>
    /// <param name="idLo">With <paramref name="idForm"/> other than <see cref="TradeIds.FormInteger"/>: the id's last 8 bytes (<see cref="TradeIds"/>).</param>
    /// <param name="history">A trade the exchange sent at subscription, not as it happened: flagged <see cref="RowFlags.History"/>, never judged against the book.</param>
    public void Publish(Instrument inst, long id, long price, long quantity, long exchangeNs, long receiveNs, byte side, BookLifecycle? book, bool judge = true,
        long idLo = 0, long idForm = TradeIds.FormInteger, bool history = false)
    {
        if (idForm == TradeIds.FormInteger)
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
        }
        else if (!RememberText(inst.Id, id, idLo))
        {
            counters.DuplicateTrades++;
            return;
        }
        Judge(price, side, judge && !history ? book : null);
        ref var e = ref publisher.Claim();
        e.Kind = EventKind.Trade;
        e.InstrumentId = inst.Id;
        e.ExchangeTime = exchangeNs;
        e.ReceiveTime = receiveNs;
        e.Price = price;
        e.Quantity = quantity;
        e.Id = id;
        e.Id2 = idLo;
        e.Flags = idForm | (history ? (long)RowFlags.History : 0);
        e.Side = side;
        counters.TradeEvents++;
    }

    /// <summary>False when the text id is among the instrument's recent ones (a repeat); else remembers it.</summary>
    private bool RememberText(int instrumentId, long hi, long lo)
    {
        ref var recent = ref InstrumentSlots.At(ref _recent, instrumentId);
        recent ??= new (long, long)[RecentTextIds]; // once per instrument
        ref int next = ref InstrumentSlots.At(ref _recentNext, instrumentId);
        for (int i = 0; i < recent.Length; i++)
            if (recent[i].Hi == hi && recent[i].Lo == lo && (hi | lo) != 0) return false;
        recent[next] = (hi, lo);
        next = (next + 1) % recent.Length;
        return true;
    }

    private void Judge(long price, byte side, BookLifecycle? book)
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
    public static void PublishSession(InstrumentRegistry registry, EventPublisher publisher, string exchange, StatusKind kind, long receiveNs, bool books, BookLifecycle?[] bookSlots)
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
