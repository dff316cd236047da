using TickEngine.Storage.Format;

namespace TickEngine.Engine.Ingest.Binance;

/// <summary>One parsed depth message (a diff or a snapshot): ids, times and its level changes. Reused.</summary>
public sealed class DepthMessage
{
    public long FirstId;      // U
    public long LastId;       // u (or lastUpdateId of a snapshot)
    public long PrevLastId;   // pu (futures), -1 when absent
    public long ExchangeTime; // E in ns, or 0 when the message has none
    public long ReceiveTime;
    public int Count;
    public BookSide[] Sides = new BookSide[256];
    public long[] Prices = new long[256];
    public long[] Quantities = new long[256];

    public void Clear()
    {
        FirstId = LastId = 0;
        PrevLastId = -1;
        ExchangeTime = ReceiveTime = 0;
        Count = 0;
    }

    public void Add(BookSide side, long price, long quantity)
    {
        if (Count == Prices.Length)
        {
            Array.Resize(ref Sides, Count * 2);
            Array.Resize(ref Prices, Count * 2);
            Array.Resize(ref Quantities, Count * 2);
        }
        Sides[Count] = side;
        Prices[Count] = price;
        Quantities[Count] = quantity;
        Count++;
    }

    public void CopyFrom(DepthMessage other)
    {
        FirstId = other.FirstId;
        LastId = other.LastId;
        PrevLastId = other.PrevLastId;
        ExchangeTime = other.ExchangeTime;
        ReceiveTime = other.ReceiveTime;
        Count = 0;
        for (int i = 0; i < other.Count; i++) Add(other.Sides[i], other.Prices[i], other.Quantities[i]);
    }
}
