using System.Globalization;

namespace TickEngine.Simulator.Dialects.ProjectX;

/// <summary>A ProjectX contract: id (<c>CON.F.US.MNQ.Z26</c>), name (<c>MNQZ6</c>), root (<c>F.US.MNQ</c>), tick size and value.</summary>
public sealed record FuturesContract(string Id, string Name, string SymbolId, string Description, decimal TickSize, decimal TickValue);

/// <summary>One DOM entry as the Gateway writes it (type: its DomType number).</summary>
public readonly record struct DomEntry(int Type, decimal Price, long Volume);

/// <summary>Something the synthetic futures market did, for one contract.</summary>
public abstract record FuturesEvent(FuturesContract Contract);

/// <summary>Level changes; <see cref="MovesTouch"/> when the best bid or ask price changed.</summary>
public sealed record DepthEvent(FuturesContract Contract, DomEntry[] Entries, bool MovesTouch) : FuturesEvent(Contract);

/// <summary>A print: aggressor 0 buy, 1 sell.</summary>
public sealed record PrintEvent(FuturesContract Contract, decimal Price, long Volume, int Aggressor) : FuturesEvent(Contract);

/// <summary>The best bid and ask, last price and the session's volume.</summary>
public sealed record QuoteEvent(FuturesContract Contract, decimal BestBid, decimal BestAsk, decimal Last, long Volume) : FuturesEvent(Contract);

/// <summary>
/// A synthetic CME futures market for ProjectX's simulator: per contract a book of 10 levels a side on the contract's
/// tick (0.25 for the equity index futures), sizes in whole contracts, whose mid walks a tick at a time; prints at the
/// touch by an aggressor that takes from the level (a depth change follows); a quote whenever the best changes.
/// Deterministic for a seed; the book never crosses and never empties a side.
/// </summary>
public sealed class FuturesMarket
{
    public const int Levels = 10;
    private readonly Random _rng;
    private readonly Book[] _books;

    /// <summary>The known roots: tick size, tick value, starting price, description.</summary>
    public static readonly IReadOnlyDictionary<string, (decimal Tick, decimal Value, decimal Start, string Name)> Roots = new Dictionary<string, (decimal, decimal, decimal, string)>
    {
        ["MNQ"] = (0.25m, 0.50m, 21000m, "Micro E-mini Nasdaq-100"),
        ["NQ"] = (0.25m, 5.00m, 21000m, "E-mini Nasdaq-100"),
        ["MES"] = (0.25m, 1.25m, 6000m, "Micro E-mini S&P 500"),
        ["ES"] = (0.25m, 12.50m, 6000m, "E-mini S&P 500"),
        ["MYM"] = (1m, 0.50m, 44000m, "Micro E-mini Dow"),
        ["M2K"] = (0.1m, 0.50m, 2300m, "Micro E-mini Russell 2000"),
    };

    private sealed class Book(FuturesContract contract, long mid)
    {
        public readonly FuturesContract Contract = contract;
        public long Mid = mid; // in ticks; bids rest below it, asks above
        public readonly SortedDictionary<long, long> Bids = new(), Asks = new();
        public long Volume;
        public decimal Last;
    }

    public FuturesMarket(IReadOnlyList<FuturesContract> contracts, int seed = 1)
    {
        _rng = new Random(seed);
        _books = new Book[contracts.Count];
        for (int i = 0; i < contracts.Count; i++)
        {
            var c = contracts[i];
            string root = c.SymbolId[(c.SymbolId.LastIndexOf('.') + 1)..];
            decimal start = Roots.TryGetValue(root, out var r) ? r.Start : 1000m;
            var b = _books[i] = new Book(c, (long)(start / c.TickSize));
            for (int k = 1; k <= Levels; k++)
            {
                b.Bids[b.Mid - k] = _rng.Next(1, 60);
                b.Asks[b.Mid + k] = _rng.Next(1, 60);
            }
            b.Last = start;
        }
        Contracts = contracts;
    }

    public IReadOnlyList<FuturesContract> Contracts { get; }

    /// <summary>The contract for the front quarterly month at <paramref name="utc"/> of <paramref name="root"/> (MNQ -> CON.F.US.MNQ.Z26).</summary>
    public static FuturesContract Front(string root, DateTime utc)
    {
        root = root.ToUpperInvariant();
        var (tick, value, _, name) = Roots.TryGetValue(root, out var r) ? r : (0.25m, 1m, 1000m, root);
        // Quarterly months H M U Z; a contract rolls about a week before its third Friday: taken as the 10th here.
        int[] months = [3, 6, 9, 12];
        int year = utc.Year, month = months.First(m => m > utc.Month || (m == utc.Month && utc.Day < 10) || m == 12);
        if (month == 12 && utc.Month == 12 && utc.Day >= 10) { month = 3; year++; }
        char code = month switch { 3 => 'H', 6 => 'M', 9 => 'U', _ => 'Z' };
        string yy = (year % 100).ToString("00", CultureInfo.InvariantCulture);
        string monthName = CultureInfo.InvariantCulture.DateTimeFormat.GetMonthName(month);
        return new FuturesContract($"CON.F.US.{root}.{code}{yy}", $"{root}{code}{year % 10}", $"F.US.{root}", $"{name}: {monthName} {year}", tick, value);
    }

    /// <summary>The whole book of contract <paramref name="i"/>: a reset entry, then every level (bids best first, asks best first).</summary>
    public DomEntry[] Snapshot(int i)
    {
        var b = _books[i];
        var list = new List<DomEntry>(2 * Levels + 1) { new(6, 0m, 0) };
        foreach (var (p, q) in b.Bids.Reverse()) list.Add(new DomEntry(2, Price(b, p), q));
        foreach (var (p, q) in b.Asks) list.Add(new DomEntry(1, Price(b, p), q));
        return list.ToArray();
    }

    public QuoteEvent Quote(int i)
    {
        var b = _books[i];
        return new QuoteEvent(b.Contract, Price(b, b.Bids.Keys.Max()), Price(b, b.Asks.Keys.Min()), b.Last, b.Volume);
    }

    /// <summary>The book of contract <paramref name="i"/> as (bids, asks) of (price, size), best first: the truth a test compares with.</summary>
    public (List<(decimal Price, long Size)> Bids, List<(decimal Price, long Size)> Asks) BookOf(int i)
    {
        var b = _books[i];
        return (b.Bids.Reverse().Select(kv => (Price(b, kv.Key), kv.Value)).ToList(), b.Asks.Select(kv => (Price(b, kv.Key), kv.Value)).ToList());
    }

    public int IndexOf(string contractId)
    {
        for (int i = 0; i < _books.Length; i++)
            if (string.Equals(_books[i].Contract.Id, contractId, StringComparison.OrdinalIgnoreCase)) return i;
        return -1;
    }

    private static decimal Price(Book b, long ticks) => ticks * b.Contract.TickSize;

    /// <summary>The market's next events for one contract (taken in turn): a depth change, or a print with its depth change, each followed by a quote when the best moved.</summary>
    public IEnumerable<FuturesEvent> Step(long n)
    {
        int i = (int)(n % _books.Length);
        var b = _books[i];
        long bestBid = b.Bids.Keys.Max(), bestAsk = b.Asks.Keys.Min();
        int kind = _rng.Next(10);
        var entries = new List<DomEntry>();
        if (kind < 2)
        {
            // The mid moves a tick: the level it moves onto leaves the book; a new level opens behind.
            int dir = _rng.Next(2) == 0 ? -1 : 1;
            b.Mid += dir;
            if (dir > 0)
            {
                if (b.Asks.Remove(b.Mid)) entries.Add(new DomEntry(1, Price(b, b.Mid), 0));
                if (b.Asks.Count == 0) Set(b, entries, false, b.Mid + 1, _rng.Next(1, 60));
                Set(b, entries, true, b.Mid - 1, _rng.Next(1, 60));
                long far = b.Mid - Levels - 1;
                if (b.Bids.Remove(far)) entries.Add(new DomEntry(2, Price(b, far), 0));
            }
            else
            {
                if (b.Bids.Remove(b.Mid)) entries.Add(new DomEntry(2, Price(b, b.Mid), 0));
                if (b.Bids.Count == 0) Set(b, entries, true, b.Mid - 1, _rng.Next(1, 60));
                Set(b, entries, false, b.Mid + 1, _rng.Next(1, 60));
                long far = b.Mid + Levels + 1;
                if (b.Asks.Remove(far)) entries.Add(new DomEntry(1, Price(b, far), 0));
            }
        }
        else if (kind < 6)
        {
            // A size changes at a level within the book's span (0 removes it, unless it is the side's last).
            bool bid = _rng.Next(2) == 0;
            long p = bid ? b.Mid - _rng.Next(1, Levels + 1) : b.Mid + _rng.Next(1, Levels + 1);
            var side = bid ? b.Bids : b.Asks;
            long size = _rng.Next(5) == 0 ? 0 : _rng.Next(1, 60);
            if (size == 0 && (!side.ContainsKey(p) || side.Count == 1)) size = 1;
            Set(b, entries, bid, p, size);
        }
        else
        {
            // A print at the touch: the aggressor takes from the best level.
            int aggressor = _rng.Next(2);
            bool hitsBid = aggressor == 1;
            var side = hitsBid ? b.Bids : b.Asks;
            long p = hitsBid ? bestBid : bestAsk;
            long have = side[p];
            long volume = Math.Min(have, _rng.Next(1, 8));
            b.Volume += volume;
            b.Last = Price(b, p);
            yield return new PrintEvent(b.Contract, Price(b, p), volume, aggressor);
            long left = have - volume;
            if (left == 0 && side.Count == 1) left = _rng.Next(1, 60); // a side never empties: someone rejoins
            Set(b, entries, hitsBid, p, left);
        }
        bool changesBest = b.Bids.Keys.Max() != bestBid || b.Asks.Keys.Min() != bestAsk || entries.Any(e => e.Price == Price(b, bestBid) || e.Price == Price(b, bestAsk));
        // Entries at the touch are written as BestBid/BestAsk, as the Gateway marks them.
        long nb = b.Bids.Keys.Max(), na = b.Asks.Keys.Min();
        var typed = entries.Select(e => e.Volume > 0 && e.Type == 2 && e.Price == Price(b, nb) ? e with { Type = 4 }
                                      : e.Volume > 0 && e.Type == 1 && e.Price == Price(b, na) ? e with { Type = 3 } : e).ToArray();
        if (typed.Length > 0) yield return new DepthEvent(b.Contract, typed, nb != bestBid || na != bestAsk);
        if (changesBest || kind >= 6) yield return Quote(i);
    }

    private void Set(Book b, List<DomEntry> entries, bool bid, long p, long size)
    {
        var side = bid ? b.Bids : b.Asks;
        if (size == 0) side.Remove(p); else side[p] = size;
        entries.Add(new DomEntry(bid ? 2 : 1, Price(b, p), size));
    }
}
