using TickEngine.Storage.Format;

namespace TickEngine.Engine.Venues;

/// <summary>
/// One book message as the venue-neutral lifecycle (<see cref="BookLifecycle"/>) takes it: its ids, times and level
/// changes. <see cref="FirstId"/> and <see cref="LastId"/> are the update ids it spans (the book is at
/// <see cref="LastId"/> after it; both the same where the venue sends one id), <see cref="PrevLastId"/> the id it says
/// it follows (-1 when the venue sends none), <see cref="Snapshot"/> true for a whole book. Its levels are its own
/// (<see cref="Add"/>) or a window of the adapter's frame buffer (<see cref="View"/>: nothing copied). A level may
/// carry its own exchange time (Coinbase stamps each change); 0 means the message's. Reused: one per adapter, never
/// per frame.
/// </summary>
public sealed class BookMessage
{
    public long FirstId;      // Binance U; the message's id elsewhere
    public long LastId;       // Binance u (or lastUpdateId of a snapshot); Bybit u; OKX seqId; Coinbase sequence_num
    public long PrevLastId;   // Binance futures pu; OKX prevSeqId; -1 when absent
    public bool Snapshot;
    public long ExchangeTime; // in ns, or 0 when the message has none
    public long ReceiveTime;
    private BookLevel[] _own = []; // made on the first level added: a message that views a frame buffer needs none
    private BookLevel[] _levels;
    private int _start;

    public BookMessage() => _levels = _own;

    /// <summary>The level changes.</summary>
    public int Count { get; private set; }

    /// <summary>The sequence fields the venue's rule judges.</summary>
    public SequenceFields Fields => new(LastId, PrevLastId, Snapshot, FirstId);

    public ref readonly BookLevel this[int i] => ref _levels[_start + i];

    /// <summary>The exchange time of level <paramref name="i"/>: its own when it has one, else the message's.</summary>
    public long TimeOf(int i)
    {
        long t = _levels[_start + i].Time;
        return t != 0 ? t : ExchangeTime;
    }

    public void Clear()
    {
        FirstId = LastId = 0;
        PrevLastId = -1;
        Snapshot = false;
        ExchangeTime = ReceiveTime = 0;
        Count = 0;
        _levels = _own;
        _start = 0;
    }

    /// <summary>Adds a level to the message's own levels.</summary>
    public void Add(BookSide side, long price, long quantity, long exchangeTime = 0)
    {
        if (_levels != _own) throw new InvalidOperationException("a message viewing a frame buffer takes no levels of its own");
        if (Count == _own.Length) Array.Resize(ref _own, Math.Max(128, Count * 2));
        _levels = _own;
        _own[Count++] = new BookLevel { Side = (byte)side, Price = price, Quantity = quantity, Time = exchangeTime };
    }

    /// <summary>Makes the message's levels <paramref name="count"/> levels of <paramref name="levels"/> from <paramref name="start"/>, copying nothing.</summary>
    public void View(BookLevel[] levels, int start, int count)
    {
        _levels = levels;
        _start = start;
        Count = count;
    }

    /// <summary>True when every level can move exactly to the new scales.</summary>
    public bool CanRescale(int fromPrice, int fromQuantity, int toPrice, int toQuantity)
    {
        for (int i = 0; i < Count; i++)
        {
            ref readonly var l = ref _levels[_start + i];
            if (!Storage.Numerics.FixedDecimal.TryRescale(l.Price, fromPrice, toPrice, out _) ||
                !Storage.Numerics.FixedDecimal.TryRescale(l.Quantity, fromQuantity, toQuantity, out _)) return false;
        }
        return true;
    }

    /// <summary>Moves the levels to the new scales (a message with levels of its own: a buffered copy).</summary>
    public void Rescale(int fromPrice, int fromQuantity, int toPrice, int toQuantity)
    {
        for (int i = 0; i < Count; i++)
        {
            ref var l = ref _levels[_start + i];
            Storage.Numerics.FixedDecimal.TryRescale(l.Price, fromPrice, toPrice, out l.Price);
            Storage.Numerics.FixedDecimal.TryRescale(l.Quantity, fromQuantity, toQuantity, out l.Quantity);
        }
    }

    public void CopyFrom(BookMessage other)
    {
        FirstId = other.FirstId;
        LastId = other.LastId;
        PrevLastId = other.PrevLastId;
        Snapshot = other.Snapshot;
        ExchangeTime = other.ExchangeTime;
        ReceiveTime = other.ReceiveTime;
        if (_own.Length < other.Count) _own = new BookLevel[Math.Max(other.Count, _own.Length * 2)];
        Array.Copy(other._levels, other._start, _own, 0, other.Count);
        _levels = _own;
        _start = 0;
        Count = other.Count;
    }
}
