using TickEngine.Storage.Format;

namespace TickEngine.Engine.Venues;

/// <summary>
/// One book message as the venue-neutral lifecycle (<see cref="BookLifecycle"/>) takes it: its ids, times and level
/// changes. <see cref="FirstId"/> and <see cref="LastId"/> are the update ids it spans (the book is at
/// <see cref="LastId"/> after it; both the same where the venue sends one id), <see cref="PrevLastId"/> the id it says
/// it follows (-1 when the venue sends none), <see cref="Snapshot"/> true for a whole book. Levels may carry their own
/// exchange time (Coinbase stamps each change); 0 means the message's. Reused: one per adapter, never per frame.
/// </summary>
public sealed class BookMessage
{
    public long FirstId;      // Binance U; the message's id elsewhere
    public long LastId;       // Binance u (or lastUpdateId of a snapshot); Bybit u; OKX seqId; Coinbase sequence_num
    public long PrevLastId;   // Binance futures pu; OKX prevSeqId; -1 when absent
    public bool Snapshot;
    public long ExchangeTime; // in ns, or 0 when the message has none
    public long ReceiveTime;
    public int Count;
    public BookSide[] Sides = new BookSide[256];
    public long[] Prices = new long[256];
    public long[] Quantities = new long[256];
    private long[]? _times;
    private bool _hasTimes;

    /// <summary>The sequence fields the venue's rule judges.</summary>
    public SequenceFields Fields => new(LastId, PrevLastId, Snapshot, FirstId);

    /// <summary>The exchange time of level <paramref name="i"/>: its own when it has one, else the message's.</summary>
    public long TimeOf(int i) => _hasTimes && _times![i] != 0 ? _times[i] : ExchangeTime;

    public void Clear()
    {
        FirstId = LastId = 0;
        PrevLastId = -1;
        Snapshot = false;
        ExchangeTime = ReceiveTime = 0;
        Count = 0;
        _hasTimes = false;
    }

    public void Add(BookSide side, long price, long quantity, long exchangeTime = 0)
    {
        if (Count == Prices.Length)
        {
            Array.Resize(ref Sides, Count * 2);
            Array.Resize(ref Prices, Count * 2);
            Array.Resize(ref Quantities, Count * 2);
            if (_times is not null) Array.Resize(ref _times, Count * 2);
        }
        if (exchangeTime != 0 && !_hasTimes)
        {
            if (_times is null || _times.Length < Prices.Length) _times = new long[Prices.Length];
            else Array.Clear(_times, 0, Count);
            _hasTimes = true;
        }
        Sides[Count] = side;
        Prices[Count] = price;
        Quantities[Count] = quantity;
        if (_hasTimes) _times![Count] = exchangeTime;
        Count++;
    }

    public void CopyFrom(BookMessage other)
    {
        FirstId = other.FirstId;
        LastId = other.LastId;
        PrevLastId = other.PrevLastId;
        Snapshot = other.Snapshot;
        ExchangeTime = other.ExchangeTime;
        ReceiveTime = other.ReceiveTime;
        Count = 0;
        _hasTimes = false;
        for (int i = 0; i < other.Count; i++) Add(other.Sides[i], other.Prices[i], other.Quantities[i], other._hasTimes ? other._times![i] : 0);
    }
}
