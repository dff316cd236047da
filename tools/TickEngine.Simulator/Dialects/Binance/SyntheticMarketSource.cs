using System.Text;

using TickEngine.Simulator.Market;

namespace TickEngine.Simulator.Dialects.Binance;

/// <summary>
/// The Binance dialect of the venue-neutral <see cref="SyntheticMarket"/>: its book messages as diff-depth messages
/// (spot <c>U</c>/<c>u</c>; USD-M futures also <c>pu</c>), its trades as <c>trade</c> (spot) or <c>aggTrade</c>
/// (futures), its best-bid/ask points as bookTickers the exchange fills from its own book, and its opening
/// snapshots as REST depth snapshot points. Deterministic for a seed.
/// </summary>
public sealed class SyntheticMarketSource : IMarketSource
{
    private readonly SyntheticMarket _market;
    private readonly bool _futures;

    /// <param name="futures">USD-M futures frames: diffs chained by <c>pu</c>, trades as aggTrade.</param>
    /// <param name="funding">Futures: a markPriceUpdate per symbol each second of market time (<c>@markPrice@1s</c>).</param>
    public SyntheticMarketSource(IReadOnlyList<string> symbols, int messagesPerSecond, int seed = 1, long? startMs = null, bool tradesOnly = false, bool futures = false,
        bool funding = false)
    {
        _futures = futures;
        _market = new SyntheticMarket(symbols.Select(s => s.ToUpperInvariant()).ToArray(), messagesPerSecond, seed, startMs, tradesOnly, funding && futures);
    }

    public IReadOnlyList<string> Symbols => _market.Symbols;
    public int Scale => 8;

    public IEnumerable<MarketItem> Items(CancellationToken cancel)
    {
        var sb = new StringBuilder(512);
        foreach (var e in _market.Events(cancel: cancel))
        {
            long ms = e.TimeNs / 1_000_000;
            string lower = e.Symbol.ToLowerInvariant();
            sb.Clear();
            switch (e)
            {
                case SyntheticBook { Snapshot: true } b:
                    yield return new SnapshotItem(b.TimeNs, b.Symbol, Encoding.UTF8.GetBytes(Snapshot(b)));
                    break;
                case SyntheticBook b:
                {
                    sb.Append("{\"e\":\"depthUpdate\",\"E\":").Append(ms).Append(",\"s\":\"").Append(b.Symbol).Append("\",\"U\":").Append(b.FirstId).Append(",\"u\":").Append(b.LastId);
                    if (_futures) sb.Append(",\"T\":").Append(ms).Append(",\"pu\":").Append(b.PreviousId);
                    sb.Append(",\"b\":[");
                    Levels(sb, b.Levels, bid: true);
                    sb.Append("],\"a\":[");
                    Levels(sb, b.Levels, bid: false);
                    sb.Append("]}");
                    var raw = Encoding.UTF8.GetBytes(sb.ToString());
                    string stream = lower + "@depth@100ms";
                    yield return new FrameItem(new MarketFrame(b.TimeNs, stream, FrameKind.DepthDiff, b.Symbol, FrameRewriter.Wrap(stream, raw), raw, b.FirstId, b.LastId));
                    break;
                }
                case SyntheticTrade t:
                {
                    string px = SyntheticMarket.Price(t.Price), qty = SyntheticMarket.Quantity(t.Quantity), maker = t.BuyerMaker ? "true" : "false";
                    if (_futures)
                        sb.Append("{\"e\":\"aggTrade\",\"E\":").Append(ms).Append(",\"s\":\"").Append(t.Symbol).Append("\",\"a\":").Append(t.Id)
                          .Append(",\"p\":\"").Append(px).Append("\",\"q\":\"").Append(qty).Append("\",\"f\":").Append(t.Id).Append(",\"l\":").Append(t.Id)
                          .Append(",\"T\":").Append(ms).Append(",\"m\":").Append(maker).Append('}');
                    else
                        sb.Append("{\"e\":\"trade\",\"E\":").Append(ms).Append(",\"s\":\"").Append(t.Symbol).Append("\",\"t\":").Append(t.Id)
                          .Append(",\"p\":\"").Append(px).Append("\",\"q\":\"").Append(qty).Append("\",\"T\":").Append(ms)
                          .Append(",\"m\":").Append(maker).Append(",\"M\":true}");
                    var raw = Encoding.UTF8.GetBytes(sb.ToString());
                    string stream = lower + (_futures ? "@aggTrade" : "@trade");
                    yield return new FrameItem(new MarketFrame(t.TimeNs, stream, _futures ? FrameKind.AggTrade : FrameKind.Trade, t.Symbol, FrameRewriter.Wrap(stream, raw), raw, TradeId: t.Id));
                    break;
                }
                case SyntheticFunding f:
                {
                    string mark = SyntheticMarket.Price(f.MarkPrice), index = SyntheticMarket.Price(f.IndexPrice);
                    string rate = Storage.Numerics.FixedDecimal.ToString(f.Rate, SyntheticFunding.RateDecimals);
                    sb.Append("{\"e\":\"markPriceUpdate\",\"E\":").Append(ms).Append(",\"s\":\"").Append(f.Symbol).Append("\",\"p\":\"").Append(mark)
                      .Append("\",\"i\":\"").Append(index).Append("\",\"P\":\"").Append(mark).Append("\",\"r\":\"").Append(rate).Append("\",\"T\":").Append(f.NextFundingNs / 1_000_000).Append('}');
                    var raw = Encoding.UTF8.GetBytes(sb.ToString());
                    string stream = lower + "@markPrice@1s";
                    yield return new FrameItem(new MarketFrame(f.TimeNs, stream, FrameKind.Other, f.Symbol, FrameRewriter.Wrap(stream, raw), raw));
                    break;
                }
                case SyntheticQuote q:
                {
                    var raw = "{}"u8.ToArray();
                    yield return new FrameItem(new MarketFrame(q.TimeNs, lower + "@bookTicker", FrameKind.BookTicker, q.Symbol, raw, raw), FromBook: true);
                    break;
                }
            }
        }
    }

    private static void Levels(StringBuilder sb, SyntheticLevel[] levels, bool bid)
    {
        bool first = true;
        foreach (var l in levels)
        {
            if (l.Bid != bid) continue;
            if (!first) sb.Append(',');
            first = false;
            sb.Append("[\"").Append(SyntheticMarket.Price(l.Price)).Append("\",\"").Append(SyntheticMarket.Quantity(l.Quantity)).Append("\"]");
        }
    }

    private static string Snapshot(SyntheticBook b)
    {
        var sb = new StringBuilder("{\"lastUpdateId\":").Append(b.LastId).Append(",\"bids\":[");
        Levels(sb, b.Levels, bid: true);
        sb.Append("],\"asks\":[");
        Levels(sb, b.Levels, bid: false);
        return sb.Append("]}").ToString();
    }
}
