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
        _bids.Clear();
        _asks.Clear();
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
    public bool IsCrossed => _bids.Count > 0 && _asks.Count > 0 && _bids.BestKey >= -_asks.BestKey;

    /// <summary>Copies up to prices.Length best levels of a side (best first); returns how many.</summary>
    public int CopyTop(BookSide side, Span<long> prices, Span<long> quantities)
    {
        var s = side == BookSide.Bid ? _bids : _asks;
        int n = Math.Min(Math.Min(prices.Length, quantities.Length), s.Count);
        for (int i = 0; i < n; i++)
        {
            ref var level = ref s.FromTop(i);
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

    /// <summary>
    /// One side as an ascending run of chunks of at most <see cref="ChunkSize"/> levels (best level last). A change
    /// moves levels inside one chunk only, however deep the book: Binance diffs touch levels far from the top as
    /// often as near it. A full chunk splits in two; an empty one returns to a pool, so a book that stays within
    /// its high-water mark allocates nothing.
    /// </summary>
    private sealed class Side
    {
        private const int ChunkSize = 128;
        private Level[][] _chunks;
        private int[] _counts;
        private int _chunkCount;
        private readonly Stack<Level[]> _pool = new();

        public Side(int capacity)
        {
            int chunks = Math.Max(4, capacity / (ChunkSize / 2));
            _chunks = new Level[chunks][];
            _counts = new int[chunks];
            // Enough chunks for a 5,000-level snapshot (half-full chunks after splits) before the first allocation.
            for (int i = 0; i < Math.Min(chunks, 96); i++) _pool.Push(new Level[ChunkSize]);
        }

        public int Count { get; private set; }

        public void Clear()
        {
            for (int c = 0; c < _chunkCount; c++) _pool.Push(_chunks[c]);
            _chunkCount = 0;
            Count = 0;
        }

        /// <summary>The i-th level from the best (0 = best).</summary>
        public ref Level FromTop(int i)
        {
            for (int c = _chunkCount - 1; c >= 0; c--)
            {
                int n = _counts[c];
                if (i < n) return ref _chunks[c][n - 1 - i];
                i -= n;
            }
            throw new ArgumentOutOfRangeException(nameof(i));
        }

        public long BestKey => _chunks[_chunkCount - 1][_counts[_chunkCount - 1] - 1].Key;

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public void Set(long key, long quantity)
        {
            if (_chunkCount == 0)
            {
                if (quantity == 0) return;
                InsertChunk(0);
                _chunks[0][0] = new Level { Key = key, Quantity = quantity };
                _counts[0] = 1;
                Count = 1;
                return;
            }
            // The chunk whose range holds the key: the first from the top whose smallest key is <= key.
            int c = _chunkCount - 1;
            while (c > 0 && _chunks[c][0].Key > key) c--;
            var chunk = _chunks[c];
            int n = _counts[c];
            int i = Search(chunk, n, key);
            if (i >= 0)
            {
                if (quantity != 0) { chunk[i].Quantity = quantity; return; }
                if (i < n - 1) chunk.AsSpan(i + 1, n - 1 - i).CopyTo(chunk.AsSpan(i));
                _counts[c] = n - 1;
                Count--;
                if (n == 1) RemoveChunk(c);
                return;
            }
            if (quantity == 0) return;
            int at = ~i;
            if (n == ChunkSize)
            {
                // Split: the upper half moves to a new chunk above this one.
                InsertChunk(c + 1);
                var upper = _chunks[c + 1];
                const int half = ChunkSize / 2;
                chunk.AsSpan(half, half).CopyTo(upper);
                _counts[c] = half;
                _counts[c + 1] = half;
                if (at > half)
                {
                    c++;
                    at -= half;
                    chunk = upper;
                }
                n = half;
            }
            if (at < n) chunk.AsSpan(at, n - at).CopyTo(chunk.AsSpan(at + 1));
            chunk[at].Key = key;
            chunk[at].Quantity = quantity;
            _counts[c] = n + 1;
            Count++;
        }

        public long Get(long key)
        {
            if (_chunkCount == 0) return 0;
            int c = _chunkCount - 1;
            while (c > 0 && _chunks[c][0].Key > key) c--;
            int i = Search(_chunks[c], _counts[c], key);
            return i >= 0 ? _chunks[c][i].Quantity : 0;
        }

        public bool TryBest(out long price, out long quantity, bool negate)
        {
            if (Count == 0)
            {
                price = quantity = 0;
                return false;
            }
            ref var top = ref _chunks[_chunkCount - 1][_counts[_chunkCount - 1] - 1];
            price = negate ? -top.Key : top.Key;
            quantity = top.Quantity;
            return true;
        }

        private void InsertChunk(int at)
        {
            if (_chunkCount == _chunks.Length)
            {
                Array.Resize(ref _chunks, _chunks.Length * 2);
                Array.Resize(ref _counts, _counts.Length * 2);
            }
            int tail = _chunkCount - at;
            if (tail > 0)
            {
                Array.Copy(_chunks, at, _chunks, at + 1, tail);
                Array.Copy(_counts, at, _counts, at + 1, tail);
            }
            _chunks[at] = _pool.Count > 0 ? _pool.Pop() : new Level[ChunkSize];
            _counts[at] = 0;
            _chunkCount++;
        }

        private void RemoveChunk(int at)
        {
            _pool.Push(_chunks[at]);
            int tail = _chunkCount - at - 1;
            if (tail > 0)
            {
                Array.Copy(_chunks, at + 1, _chunks, at, tail);
                Array.Copy(_counts, at + 1, _counts, at, tail);
            }
            _chunkCount--;
            _chunks[_chunkCount] = null!;
        }

        /// <summary>Index of key in the chunk, or the complement of its insertion point.</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private static int Search(Level[] chunk, int n, long key)
        {
            int lo = 0, hi = n - 1;
            while (lo <= hi)
            {
                int mid = (int)((uint)(lo + hi) >> 1);
                long k = chunk[mid].Key;
                if (k == key) return mid;
                if (k < key) lo = mid + 1;
                else hi = mid - 1;
            }
            return ~lo;
        }
    }
}
