using TickEngine.Engine.Book;
using TickEngine.Storage.Format;

namespace TickEngine.Simulator.Market;

/// <summary>
/// The venue-neutral synthetic market every simulator dialect can play: per symbol a random-walk book (tick 0.01,
/// 20 levels a side around the mid at the start) whose changes come as book messages with rising update ids (1 to 3
/// ids per message), trades with consecutive ids at the touch, and best-bid/ask points (or trades only). The rate is
/// events per second over all symbols; the market starts with a snapshot of every symbol. Deterministic for a seed;
/// the book never crosses (nothing ever rests at the mid). An enumeration can fill a dictionary with every symbol's
/// book as its events leave it (the truth a test compares a recording with).
/// </summary>
public sealed class SyntheticMarket
{
    /// <summary>Decimals of prices and of quantities as the venues write them.</summary>
    public const int PriceDecimals = 2, QuantityDecimals = 5;

    private readonly int _rate;
    private readonly int _seed;
    private readonly long _startMs;
    private readonly bool _tradesOnly;

    public SyntheticMarket(IReadOnlyList<string> symbols, int eventsPerSecond, int seed = 1, long? startMs = null, bool tradesOnly = false)
        : this(symbols, eventsPerSecond, seed, startMs, tradesOnly, funding: false)
    {
    }

    public SyntheticMarket(IReadOnlyList<string> symbols, int eventsPerSecond, int seed, long? startMs, bool tradesOnly, bool funding)
    {
        if (symbols.Count == 0) throw new ArgumentException("at least one symbol");
        if (eventsPerSecond <= 0) throw new ArgumentOutOfRangeException(nameof(eventsPerSecond));
        Symbols = symbols.ToArray();
        _rate = eventsPerSecond;
        _seed = seed;
        _tradesOnly = tradesOnly;
        _startMs = startMs ?? DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        Funding = funding;
    }

    public IReadOnlyList<string> Symbols { get; }
    public int Rate => _rate;

    /// <summary>
    /// Also a <see cref="SyntheticFunding"/> per symbol once a second of market time (a perpetual's funding stream).
    /// It draws no random number: the other events are the same with it or without.
    /// </summary>
    public bool Funding { get; init; }

    private sealed class Sym(string name, long midTicks)
    {
        public readonly string Name = name;
        public readonly long StartMid = midTicks;
        public long Mid = midTicks;          // in ticks of 0.01
        public long UpdateId = 1_000_000;
        public long TradeId = 5_000_000;
        public long Messages;
        public readonly OrderBook Book = new();
    }

    /// <summary>
    /// The market's events, endless (or <paramref name="count"/> after the snapshots). Each enumeration starts the
    /// market again from its seed (a dialect plays one per connection). <paramref name="books"/>, when given, receives
    /// each symbol's book (prices in ticks, quantities in units), kept as the events enumerated so far leave it.
    /// </summary>
    public IEnumerable<SyntheticEvent> Events(long count = long.MaxValue, Dictionary<string, OrderBook>? books = null, CancellationToken cancel = default)
    {
        var rng = new Random(_seed);
        var syms = Symbols.Select((s, i) => new Sym(s, 6_000_000 + i * 100_000)).ToArray();
        if (books is not null) foreach (var s in syms) books[s.Name] = s.Book;
        long nsPerEvent = Math.Max(1, 1_000_000_000L / _rate);
        long t = _startMs * 1_000_000;
        foreach (var s in syms)
        {
            var levels = new SyntheticLevel[40];
            for (int i = 0; i < 20; i++) levels[i] = new SyntheticLevel(true, s.Mid - 1 - i, rng.Next(1, 500_000));
            for (int i = 0; i < 20; i++) levels[20 + i] = new SyntheticLevel(false, s.Mid + 1 + i, rng.Next(1, 500_000));
            Apply(s, levels, s.UpdateId);
            yield return new SyntheticBook(t, s.Name, true, s.UpdateId, s.UpdateId, -1, ++s.Messages, levels);
        }
        const long Second = 1_000_000_000, EightHours = 8 * 3600 * Second;
        long nextFunding = (t / Second + 1) * Second;
        for (long n = 0; n < count && !cancel.IsCancellationRequested; n++)
        {
            t += nsPerEvent;
            if (Funding && t >= nextFunding)
            {
                foreach (var f in syms)
                {
                    // A rate that moves with the mid's distance from its start, exactly: 1e-8 per tick, from 0.0001.
                    long rate = 10_000 + (f.Mid - f.StartMid);
                    yield return new SyntheticFunding(nextFunding, f.Name, f.Mid, f.Mid, rate, (nextFunding / EightHours + 1) * EightHours);
                }
                nextFunding += Second;
            }
            var s = syms[n % syms.Length];
            int kind = _tradesOnly ? 5 : rng.Next(10);
            if (kind < 4)
            {
                // A book message: the mid drifts, a few levels change near it.
                s.Mid += rng.Next(-1, 2);
                long previous = s.UpdateId;
                long first = s.UpdateId + 1;
                s.UpdateId += 1 + rng.Next(3);
                int count1 = 1 + rng.Next(4);
                var levels = new SyntheticLevel[2 * count1 + 2];
                int k = 0;
                for (int i = 0; i < count1; i++) levels[k++] = new SyntheticLevel(true, s.Mid - 1 - rng.Next(20), rng.Next(5) == 0 ? 0 : rng.Next(1, 500_000));
                levels[k++] = new SyntheticLevel(true, s.Mid, 0); // the best bid below the new mid
                for (int i = 0; i < count1; i++) levels[k++] = new SyntheticLevel(false, s.Mid + 1 + rng.Next(20), rng.Next(5) == 0 ? 0 : rng.Next(1, 500_000));
                levels[k++] = new SyntheticLevel(false, s.Mid, 0); // nothing rests at the mid on either side: the book never crosses
                Apply(s, levels, s.UpdateId);
                yield return new SyntheticBook(t, s.Name, false, first, s.UpdateId, previous, ++s.Messages, levels);
            }
            else if (kind < 8)
            {
                bool buyerMaker = rng.Next(2) == 0;
                long px = buyerMaker ? s.Mid - 1 : s.Mid + 1;
                long id = ++s.TradeId;
                yield return new SyntheticTrade(t, s.Name, id, px, rng.Next(1, 200_000), buyerMaker);
            }
            else yield return new SyntheticQuote(t, s.Name);
        }
    }

    private static void Apply(Sym s, SyntheticLevel[] levels, long id)
    {
        foreach (var l in levels) s.Book.Set(l.Bid ? BookSide.Bid : BookSide.Ask, l.Price, l.Quantity);
        s.Book.UpdateId = id;
    }

    /// <summary>A price in ticks as text ("60000.00").</summary>
    public static string Price(long ticks) => TickEngine.Storage.Numerics.FixedDecimal.ToString(ticks, PriceDecimals);

    /// <summary>A quantity in units as text ("1.23456").</summary>
    public static string Quantity(long units) => TickEngine.Storage.Numerics.FixedDecimal.ToString(units, QuantityDecimals);
}
