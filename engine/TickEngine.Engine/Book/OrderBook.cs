using System.Runtime.CompilerServices;
using TickEngine.Storage.Format;

namespace TickEngine.Engine.Book;

/// <summary>
/// A full-depth price-level book of fixed-point prices and quantities. Each side is one sorted array with the
/// best level at the end (bids by price ascending, asks by price descending), so the frequent changes near the
/// top move few elements. Setting a quantity of 0 removes the level; removing an absent level is a no-op, as
/// exchanges expect. Allocation-free once its capacity is reached. One thread.
/// </summary>
public sealed class OrderBook
{
    // Room for a 5,000-level REST snapshot per side and more before the first growth.
    private readonly Side _bids = new(8192);
    private readonly Side _asks = new(8192);

    /// <summary>The exchange update id the book reflects.</summary>
    public long UpdateId { get; set; }

    public int BidCount => _bids.Count;
    public int AskCount => _asks.Count;

    public void Clear()
    {
        _bids.Count = 0;
        _asks.Count = 0;
        UpdateId = 0;
    }

    /// <summary>Sets a level's absolute quantity (0 removes it).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Set(BookSide side, long price, long quantity)
    {
        if (side == BookSide.Bid) _bids.Set(price, quantity);
        else _asks.Set(-price, quantity);
    }

    public bool TryBestBid(out long price, out long quantity) => _bids.TryBest(out price, out quantity, negate: false);

    public bool TryBestAsk(out long price, out long quantity) => _asks.TryBest(out price, out quantity, negate: true);

    /// <summary>True when both sides have levels and the best bid is at or above the best ask.</summary>
    public bool IsCrossed => _bids.Count > 0 && _asks.Count > 0 && _bids.KeyAt(_bids.Count - 1) >= -_asks.KeyAt(_asks.Count - 1);

    /// <summary>Copies up to prices.Length best levels of a side (best first); returns how many.</summary>
    public int CopyTop(BookSide side, Span<long> prices, Span<long> quantities)
    {
        var s = side == BookSide.Bid ? _bids : _asks;
        int n = Math.Min(Math.Min(prices.Length, quantities.Length), s.Count);
        for (int i = 0; i < n; i++)
        {
            ref var level = ref s.Levels[s.Count - 1 - i];
            prices[i] = side == BookSide.Bid ? level.Key : -level.Key;
            quantities[i] = level.Quantity;
        }
        return n;
    }

    /// <summary>The quantity at a price, 0 when there is no level.</summary>
    public long QuantityAt(BookSide side, long price) => side == BookSide.Bid ? _bids.Get(price) : _asks.Get(-price);

    /// <summary>A level: key (price, negated for asks) and quantity side by side, so one move shifts both.</summary>
    private struct Level
    {
        public long Key;
        public long Quantity;
    }

    private sealed class Side(int capacity)
    {
        public Level[] Levels = new Level[capacity];
        public int Count;

        public long KeyAt(int i) => Levels[i].Key;

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public void Set(long key, long quantity)
        {
            int i = Find(key);
            if (i >= 0)
            {
                if (quantity != 0) Levels[i].Quantity = quantity;
                else
                {
                    int move = Count - i - 1;
                    if (move > 0) Levels.AsSpan(i + 1, move).CopyTo(Levels.AsSpan(i));
                    Count--;
                }
                return;
            }
            if (quantity == 0) return;
            int at = ~i;
            if (Count == Levels.Length) Array.Resize(ref Levels, Levels.Length * 2);
            int tail = Count - at;
            if (tail > 0) Levels.AsSpan(at, tail).CopyTo(Levels.AsSpan(at + 1));
            Levels[at].Key = key;
            Levels[at].Quantity = quantity;
            Count++;
        }

        public long Get(long key)
        {
            int i = Find(key);
            return i >= 0 ? Levels[i].Quantity : 0;
        }

        public bool TryBest(out long price, out long quantity, bool negate)
        {
            if (Count == 0)
            {
                price = quantity = 0;
                return false;
            }
            ref var top = ref Levels[Count - 1];
            price = negate ? -top.Key : top.Key;
            quantity = top.Quantity;
            return true;
        }

        /// <summary>Index of key, or the complement of its insertion point. Searches from the top (the end) first.</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private int Find(long key)
        {
            int hi = Count - 1;
            if (hi < 0) return ~0;
            var levels = Levels;
            if (key > levels[hi].Key) return ~Count;
            // Gallop down from the top: most changes are near the best price.
            int step = 1, lo = hi;
            while (lo > 0 && levels[lo].Key > key)
            {
                hi = lo;
                lo = Math.Max(0, lo - step);
                step <<= 1;
            }
            while (lo <= hi)
            {
                int mid = (int)((uint)(lo + hi) >> 1);
                long k = levels[mid].Key;
                if (k == key) return mid;
                if (k < key) lo = mid + 1;
                else hi = mid - 1;
            }
            return ~lo;
        }
    }
}
