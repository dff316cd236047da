using System.Text;

namespace TickEngine.Simulator.Market;

/// <summary>
/// A synthetic Binance market for any number of symbols: per symbol a random-walk book (tick 0.01, 20 levels a
/// side around the mid) whose changes are sent as diff-depth messages with consecutive update ids, trades with
/// consecutive ids at the touch, and bookTickers filled from the exchange's book (or trades only). The rate is messages per second
/// over all symbols; the stream starts with a REST snapshot point for every symbol. Deterministic for a seed.
/// </summary>
public sealed class SyntheticMarketSource : IMarketSource
{
    private readonly int _rate;
    private readonly int _seed;
    private readonly long _startMs;
    private readonly bool _tradesOnly;
    private readonly bool _futures;

    /// <param name="futures">USD-M futures frames: diffs chained by <c>pu</c>, trades as aggTrade.</param>
    public SyntheticMarketSource(IReadOnlyList<string> symbols, int messagesPerSecond, int seed = 1, long? startMs = null, bool tradesOnly = false, bool futures = false)
    {
        _tradesOnly = tradesOnly;
        _futures = futures;
        if (symbols.Count == 0) throw new ArgumentException("at least one symbol");
        if (messagesPerSecond <= 0) throw new ArgumentOutOfRangeException(nameof(messagesPerSecond));
        Symbols = symbols.Select(s => s.ToUpperInvariant()).ToArray();
        _rate = messagesPerSecond;
        _seed = seed;
        _startMs = startMs ?? DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
    }

    public IReadOnlyList<string> Symbols { get; }
    public int Scale => 8;

    private sealed class Sym(string name, long midTicks)
    {
        public readonly string Name = name;
        public readonly string Lower = name.ToLowerInvariant();
        public long Mid = midTicks;          // in ticks of 0.01
        public long UpdateId = 1_000_000;
        public long TradeId = 5_000_000;
    }

    public IEnumerable<MarketItem> Items(CancellationToken cancel)
    {
        var rng = new Random(_seed);
        var syms = Symbols.Select((s, i) => new Sym(s, 6_000_000 + i * 100_000)).ToArray();
        long nsPerMessage = Math.Max(1, 1_000_000_000L / _rate);
        long t = _startMs * 1_000_000;
        foreach (var s in syms)
            yield return new SnapshotItem(t, s.Name, Encoding.UTF8.GetBytes(Snapshot(s, rng)));
        var sb = new StringBuilder(512);
        for (long n = 0; !cancel.IsCancellationRequested; n++)
        {
            t += nsPerMessage;
            var s = syms[n % syms.Length];
            long ms = t / 1_000_000;
            int kind = _tradesOnly ? 5 : rng.Next(10);
            sb.Clear();
            if (kind < 4)
            {
                // A diff: the mid drifts, a few levels change near it.
                s.Mid += rng.Next(-1, 2);
                long previous = s.UpdateId;
                long first = s.UpdateId + 1;
                s.UpdateId += 1 + rng.Next(3);
                sb.Append("{\"e\":\"depthUpdate\",\"E\":").Append(ms).Append(",\"s\":\"").Append(s.Name).Append("\",\"U\":").Append(first).Append(",\"u\":").Append(s.UpdateId);
                if (_futures) sb.Append(",\"T\":").Append(ms).Append(",\"pu\":").Append(previous);
                sb.Append(",\"b\":[");
                int levels = 1 + rng.Next(4);
                for (int i = 0; i < levels; i++)
                {
                    if (i > 0) sb.Append(',');
                    Level(sb, s.Mid - 1 - rng.Next(20), rng.Next(5) == 0 ? 0 : rng.Next(1, 500_000));
                }
                // Keep the touch consistent with the new mid: the best bid below it, the best ask above it.
                sb.Append(",");
                Level(sb, s.Mid, 0);
                sb.Append("],\"a\":[");
                for (int i = 0; i < levels; i++)
                {
                    if (i > 0) sb.Append(',');
                    Level(sb, s.Mid + 1 + rng.Next(20), rng.Next(5) == 0 ? 0 : rng.Next(1, 500_000));
                }
                sb.Append(",");
                Level(sb, s.Mid, 0); // nothing rests at the mid on either side: the book never crosses
                sb.Append("]}");
                var raw = Encoding.UTF8.GetBytes(sb.ToString());
                string stream = s.Lower + "@depth@100ms";
                yield return new FrameItem(new MarketFrame(t, stream, FrameKind.DepthDiff, s.Name, FrameRewriter.Wrap(stream, raw), raw, first, s.UpdateId));
            }
            else if (kind < 8)
            {
                bool buyerMaker = rng.Next(2) == 0;
                long px = buyerMaker ? s.Mid - 1 : s.Mid + 1;
                long id = ++s.TradeId;
                if (_futures)
                    sb.Append("{\"e\":\"aggTrade\",\"E\":").Append(ms).Append(",\"s\":\"").Append(s.Name).Append("\",\"a\":").Append(id)
                      .Append(",\"p\":\"").Append(Price(px)).Append("\",\"q\":\"").Append(Qty(rng.Next(1, 200_000))).Append("\",\"f\":").Append(id).Append(",\"l\":").Append(id)
                      .Append(",\"T\":").Append(ms).Append(",\"m\":").Append(buyerMaker ? "true" : "false").Append('}');
                else
                    sb.Append("{\"e\":\"trade\",\"E\":").Append(ms).Append(",\"s\":\"").Append(s.Name).Append("\",\"t\":").Append(id)
                      .Append(",\"p\":\"").Append(Price(px)).Append("\",\"q\":\"").Append(Qty(rng.Next(1, 200_000))).Append("\",\"T\":").Append(ms)
                      .Append(",\"m\":").Append(buyerMaker ? "true" : "false").Append(",\"M\":true}");
                var raw = Encoding.UTF8.GetBytes(sb.ToString());
                string stream = s.Lower + (_futures ? "@aggTrade" : "@trade");
                yield return new FrameItem(new MarketFrame(t, stream, _futures ? FrameKind.AggTrade : FrameKind.Trade, s.Name, FrameRewriter.Wrap(stream, raw), raw, TradeId: id));
            }
            else
            {
                var raw = "{}"u8.ToArray();
                string stream = s.Lower + "@bookTicker";
                yield return new FrameItem(new MarketFrame(t, stream, FrameKind.BookTicker, s.Name, raw, raw), FromBook: true);
            }
        }
    }

    private static string Snapshot(Sym s, Random rng)
    {
        var sb = new StringBuilder("{\"lastUpdateId\":").Append(s.UpdateId).Append(",\"bids\":[");
        for (int i = 0; i < 20; i++) { if (i > 0) sb.Append(','); Level(sb, s.Mid - 1 - i, rng.Next(1, 500_000)); }
        sb.Append("],\"asks\":[");
        for (int i = 0; i < 20; i++) { if (i > 0) sb.Append(','); Level(sb, s.Mid + 1 + i, rng.Next(1, 500_000)); }
        return sb.Append("]}").ToString();
    }

    private static void Level(StringBuilder sb, long ticks, long qtyUnits) =>
        sb.Append("[\"").Append(Price(ticks)).Append("\",\"").Append(Qty(qtyUnits)).Append("\"]");

    private static string Price(long ticks) => TickEngine.Storage.Numerics.FixedDecimal.ToString(ticks, 2);

    private static string Qty(long units) => TickEngine.Storage.Numerics.FixedDecimal.ToString(units, 5);
}
