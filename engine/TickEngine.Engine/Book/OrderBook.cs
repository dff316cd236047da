using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using TickEngine.Storage.Format;

namespace TickEngine.Engine.Book;

/// <summary>
/// A full-depth price-level book of fixed-point prices and quantities. Setting a quantity of 0 removes the level;
/// removing an absent level is a no-op, as exchanges expect. Allocation-free once its capacity is reached. One thread.
/// <para>Each side is an ascending run of small chunks (best level last; asks keyed by the negated price), keys and
/// quantities in separate arrays: a change moves at most one chunk's keys, however deep the book (Binance diffs
/// touch levels far from the top as often as near it), the chunk is found from a dense array of the chunks'
/// smallest keys (the top chunk first), and a key is found in its chunk by counting, with vector compares and no
/// branches, the keys below it.</para>
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
        bool bid = side == BookSide.Bid;
        return (bid ? _bids : _asks).CopyTop(prices, quantities, negate: !bid);
    }

    /// <summary>True when every level can be moved exactly from the old scales to the new (no digit lost, no overflow).</summary>
    public bool CanRescale(int fromPrice, int fromQuantity, int toPrice, int toQuantity)
    {
        foreach (var side in new[] { BookSide.Bid, BookSide.Ask })
        {
            var (prices, qtys) = Levels(side);
            for (int i = 0; i < prices.Length; i++)
                if (!Storage.Numerics.FixedDecimal.TryRescale(prices[i], fromPrice, toPrice, out _) ||
                    !Storage.Numerics.FixedDecimal.TryRescale(qtys[i], fromQuantity, toQuantity, out _)) return false;
        }
        return true;
    }

    /// <summary>Moves every level to the new scales (<see cref="CanRescale"/> first). Not for hot paths: it copies the book.</summary>
    public void Rescale(int fromPrice, int fromQuantity, int toPrice, int toQuantity)
    {
        var (bp, bq) = Levels(BookSide.Bid);
        var (ap, aq) = Levels(BookSide.Ask);
        long id = UpdateId;
        Clear();
        UpdateId = id;
        for (int i = 0; i < bp.Length; i++) Set(BookSide.Bid, Move(bp[i], fromPrice, toPrice), Move(bq[i], fromQuantity, toQuantity));
        for (int i = 0; i < ap.Length; i++) Set(BookSide.Ask, Move(ap[i], fromPrice, toPrice), Move(aq[i], fromQuantity, toQuantity));
    }

    private static long Move(long v, int from, int to) =>
        Storage.Numerics.FixedDecimal.TryRescale(v, from, to, out long r) ? r : throw new InvalidOperationException($"{v} at scale {from} does not move to scale {to}: ask CanRescale first");

    /// <summary>Every level of a side, best first (copies: not for hot paths).</summary>
    public (long[] Prices, long[] Quantities) Levels(BookSide side)
    {
        int n = side == BookSide.Bid ? BidCount : AskCount;
        var prices = new long[n];
        var qtys = new long[n];
        CopyTop(side, prices, qtys);
        return (prices, qtys);
    }

    /// <summary>The quantity at a price, 0 when there is no level.</summary>
    public long QuantityAt(BookSide side, long price) => side == BookSide.Bid ? _bids.Get(price) : _asks.Get(-price);

    private sealed class Side
    {
        private const int ChunkSize = 32;
        private const long Empty = long.MaxValue; // unused key slots: never below a real key
        private const int VectorScanChunks = 512;
        private long[][] _keys;
        private long[][] _qtys;
        private int[] _counts;
        private long[] _mins;      // _mins[c] == _keys[c][0] for every chunk in use
        private int _chunkCount;
        private readonly Stack<(long[] Keys, long[] Qtys)> _pool = new();

        public Side(int capacity)
        {
            int chunks = Math.Max(4, capacity / (ChunkSize / 2));
            _keys = new long[chunks][];
            _qtys = new long[chunks][];
            _counts = new int[chunks];
            _mins = new long[chunks + 4];
            _mins.AsSpan().Fill(Empty);
            // Enough chunks for a 5,000-level snapshot (half-full chunks after splits) before the first allocation.
            for (int i = 0; i < Math.Min(chunks, 384); i++) _pool.Push(NewChunk());
        }

        private static (long[], long[]) NewChunk()
        {
            var keys = new long[ChunkSize];
            keys.AsSpan().Fill(Empty);
            return (keys, new long[ChunkSize]);
        }

        public int Count { get; private set; }

        public void Clear()
        {
            for (int c = 0; c < _chunkCount; c++)
            {
                _keys[c].AsSpan().Fill(Empty);
                _pool.Push((_keys[c], _qtys[c]));
                _mins[c] = Empty;
            }
            _chunkCount = 0;
            Count = 0;
        }

        public long BestKey => _keys[_chunkCount - 1][_counts[_chunkCount - 1] - 1];

        public int CopyTop(Span<long> prices, Span<long> quantities, bool negate)
        {
            int want = Math.Min(Math.Min(prices.Length, quantities.Length), Count), n = 0;
            for (int c = _chunkCount - 1; c >= 0 && n < want; c--)
            {
                var keys = _keys[c];
                var qtys = _qtys[c];
                for (int i = _counts[c] - 1; i >= 0 && n < want; i--, n++)
                {
                    prices[n] = negate ? -keys[i] : keys[i];
                    quantities[n] = qtys[i];
                }
            }
            return n;
        }

        /// <summary>The chunk whose range holds <paramref name="key"/>: the last one whose smallest key is &lt;= key (chunk 0 below all).</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private int ChunkOf(long key)
        {
            int top = _chunkCount - 1;
            long[] mins = _mins;
            if (key >= mins[top]) return top;
            // Chunks whose smallest key is <= key, counted with vector compares (unused slots hold Empty); a deep book
            // (a full-depth venue snapshot holds tens of thousands of levels) is searched by halves instead.
            if (Vector256.IsHardwareAccelerated && top <= VectorScanChunks)
            {
                ref long m = ref mins[0];
                var v = Vector256.Create(key);
                int n = 0;
                for (int i = 0; i < top; i += 4)
                    n += BitOperations.PopCount(Vector256.LessThanOrEqual(Vector256.LoadUnsafe(ref m, (nuint)i), v).ExtractMostSignificantBits());
                return Math.Max(0, n - 1);
            }
            int lo = 0, hi = top - 1;
            while (lo <= hi)
            {
                int mid = (int)((uint)(lo + hi) >> 1);
                if (mins[mid] <= key) lo = mid + 1;
                else hi = mid - 1;
            }
            return Math.Max(0, lo - 1);
        }

        /// <summary>How many keys of a chunk are below <paramref name="key"/> (unused slots hold <see cref="Empty"/>).</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private static int Below(long[] keys, long key)
        {
            if (Vector256.IsHardwareAccelerated)
            {
                ref long k = ref keys[0];
                var v = Vector256.Create(key);
                uint bits = 0;
                for (int i = 0; i < ChunkSize; i += 4)
                    bits |= Vector256.LessThan(Vector256.LoadUnsafe(ref k, (nuint)i), v).ExtractMostSignificantBits() << i;
                return BitOperations.PopCount(bits);
            }
            int n = 0;
            for (int i = 0; i < ChunkSize; i++) n += keys[i] < key ? 1 : 0;
            return n;
        }

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public void Set(long key, long quantity)
        {
            if (_chunkCount == 0)
            {
                if (quantity == 0) return;
                InsertChunk(0);
                _keys[0][0] = key;
                _qtys[0][0] = quantity;
                _counts[0] = 1;
                _mins[0] = key;
                Count = 1;
                return;
            }
            int c = ChunkOf(key);
            var keys = _keys[c];
            var qtys = _qtys[c];
            int n = _counts[c];
            int at = Below(keys, key);
            if (at < n && keys[at] == key)
            {
                if (quantity != 0) { qtys[at] = quantity; return; }
                if (at < n - 1)
                {
                    keys.AsSpan(at + 1, n - 1 - at).CopyTo(keys.AsSpan(at));
                    qtys.AsSpan(at + 1, n - 1 - at).CopyTo(qtys.AsSpan(at));
                }
                keys[n - 1] = Empty;
                _counts[c] = n - 1;
                Count--;
                if (n == 1) RemoveChunk(c);
                else if (at == 0) _mins[c] = keys[0];
                return;
            }
            if (quantity == 0) return;
            if (n == ChunkSize)
            {
                // Split: the upper half moves to a new chunk above this one.
                InsertChunk(c + 1);
                var upperKeys = _keys[c + 1];
                var upperQtys = _qtys[c + 1];
                const int half = ChunkSize / 2;
                keys.AsSpan(half, half).CopyTo(upperKeys);
                qtys.AsSpan(half, half).CopyTo(upperQtys);
                keys.AsSpan(half, half).Fill(Empty);
                _counts[c] = half;
                _counts[c + 1] = half;
                _mins[c + 1] = upperKeys[0];
                if (at > half)
                {
                    c++;
                    at -= half;
                    keys = upperKeys;
                    qtys = upperQtys;
                }
                n = half;
            }
            if (at < n)
            {
                keys.AsSpan(at, n - at).CopyTo(keys.AsSpan(at + 1));
                qtys.AsSpan(at, n - at).CopyTo(qtys.AsSpan(at + 1));
            }
            keys[at] = key;
            qtys[at] = quantity;
            _counts[c] = n + 1;
            if (at == 0) _mins[c] = key;
            Count++;
        }

        public long Get(long key)
        {
            if (_chunkCount == 0) return 0;
            int c = ChunkOf(key);
            int at = Below(_keys[c], key);
            return at < _counts[c] && _keys[c][at] == key ? _qtys[c][at] : 0;
        }

        public bool TryBest(out long price, out long quantity, bool negate)
        {
            if (Count == 0)
            {
                price = quantity = 0;
                return false;
            }
            int c = _chunkCount - 1, i = _counts[c] - 1;
            price = negate ? -_keys[c][i] : _keys[c][i];
            quantity = _qtys[c][i];
            return true;
        }

        private void InsertChunk(int at)
        {
            if (_chunkCount == _keys.Length)
            {
                Array.Resize(ref _keys, _keys.Length * 2);
                Array.Resize(ref _qtys, _qtys.Length * 2);
                Array.Resize(ref _counts, _counts.Length * 2);
                int old = _mins.Length;
                Array.Resize(ref _mins, _keys.Length + 4);
                _mins.AsSpan(old).Fill(Empty);
            }
            int tail = _chunkCount - at;
            if (tail > 0)
            {
                Array.Copy(_keys, at, _keys, at + 1, tail);
                Array.Copy(_qtys, at, _qtys, at + 1, tail);
                Array.Copy(_counts, at, _counts, at + 1, tail);
                Array.Copy(_mins, at, _mins, at + 1, tail);
            }
            var (k, q) = _pool.Count > 0 ? _pool.Pop() : NewChunk();
            _keys[at] = k;
            _qtys[at] = q;
            _counts[at] = 0;
            _chunkCount++;
        }

        private void RemoveChunk(int at)
        {
            _pool.Push((_keys[at], _qtys[at])); // an empty chunk: every key slot is Empty already
            int tail = _chunkCount - at - 1;
            if (tail > 0)
            {
                Array.Copy(_keys, at + 1, _keys, at, tail);
                Array.Copy(_qtys, at + 1, _qtys, at, tail);
                Array.Copy(_counts, at + 1, _counts, at, tail);
                Array.Copy(_mins, at + 1, _mins, at, tail);
            }
            _chunkCount--;
            _mins[_chunkCount] = Empty;
            _keys[_chunkCount] = null!;
            _qtys[_chunkCount] = null!;
        }
    }
}
