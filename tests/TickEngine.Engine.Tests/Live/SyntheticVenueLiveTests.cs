using TickEngine.Engine.Book;
using TickEngine.Engine.Events;
using TickEngine.Engine.Ingest;
using TickEngine.Simulator;
using TickEngine.Simulator.Market;
using TickEngine.Storage.Format;
using TickEngine.Tests.Shared;
using Xunit;

namespace TickEngine.Engine.Tests.Live;

/// <summary>
/// Each stream venue live from the venue-neutral synthetic market, written by its dialect and played over loopback
/// WebSockets: every trade the market made is recorded with its id, price, quantity, time and taker side; the book
/// rebuilt from the recorded level changes equals the market's own book at the end, level for level; no gap, no
/// crossed book, every OKX checksum matched, every Bybit best bid/ask judged matched.
/// </summary>
[Trait("Category", "Loopback")]
public class SyntheticVenueLiveTests
{
    private const long Events = 4_000;

    public static TheoryData<string> Venues => VenueCases.Names;

    [Theory]
    [MemberData(nameof(Venues))]
    public async Task ASyntheticMarketRecordedLiveEqualsTheMarket(string venue)
    {
        using var dir = new TempDir();
        var vc = VenueCases.Of(venue);
        var symbols = vc.SyntheticSymbols;
        var market = new SyntheticMarket(symbols, 2_000, seed: 11);
        await using var dialect = await SimulatorVenues.Find(venue)!.StartSyntheticAsync(market, Events);
        var (recorder, recorded) = await DialectRecording.Record(dir, venue, dialect, symbols);
        var c = recorder.Pipeline.Adapters[0].Counters;
        var registry = recorder.Pipeline.Registry;

        Instrument Inst(string symbol) => registry.All.Single(i => i.Symbol == symbol);
        // The market again, from its seed: what it made and the books it left.
        var books = new Dictionary<string, OrderBook>();
        var truth = market.Events(Events, books).ToList();
        long Price(string symbol, long ticks) => ticks * Pow10(Inst(symbol).PriceScale - SyntheticMarket.PriceDecimals);
        long Qty(string symbol, long units) => units * Pow10(Inst(symbol).QuantityScale - SyntheticMarket.QuantityDecimals);
        long Time(long ns) => ns / vc.TimeResolutionNs * vc.TimeResolutionNs;
        string Id(long id) => vc.SyntheticTradeId(id);
        var expected = truth.OfType<SyntheticTrade>()
            .Select(t => (t.Symbol, Id(t.Id), Price(t.Symbol, t.Price), Qty(t.Symbol, t.Quantity), Time(t.TimeNs), t.BuyerMaker ? (byte)TradeSide.Sell : (byte)TradeSide.Buy))
            .ToList();
        var got = recorded.Where(e => e.Kind == EventKind.Trade)
            .Select(e => (registry[e.InstrumentId].Symbol, TradeIds.ToText(e.Id, e.Id2, e.Flags)!, e.Price, e.Quantity, e.ExchangeTime, e.Side))
            .ToList();
        Assert.True(expected.Count > 1_000, $"{expected.Count} trades");
        Assert.Equal(expected, got);

        foreach (var symbol in symbols)
        {
            var inst = Inst(symbol);
            var rebuilt = new OrderBook();
            foreach (var e in recorded.Where(e => e.Kind == EventKind.BookDelta && e.InstrumentId == inst.Id))
            {
                if ((e.Flags & (long)RowFlags.SnapshotBegins) != 0) rebuilt.Clear();
                if ((e.Flags & (long)RowFlags.BookReset) == 0) rebuilt.Set((BookSide)e.Side, e.Price, e.Quantity);
                Assert.False(rebuilt.IsCrossed, $"{venue} {symbol} crossed");
            }
            var book = books[symbol];
            Assert.Equal(book.BidCount, rebuilt.BidCount);
            Assert.Equal(book.AskCount, rebuilt.AskCount);
            foreach (var side in new[] { BookSide.Bid, BookSide.Ask })
            {
                int n = side == BookSide.Bid ? book.BidCount : book.AskCount;
                long[] p = new long[n], q = new long[n], rp = new long[n], rq = new long[n];
                book.CopyTop(side, p, q);
                rebuilt.CopyTop(side, rp, rq);
                Assert.Equal(p.Select(x => Price(symbol, x)), rp);
                Assert.Equal(q.Select(x => Qty(symbol, x)), rq);
            }
        }
        Assert.Equal(0, c.Gaps);
        Assert.Equal(0, c.Crossed);
        Assert.Equal(0, c.Malformed);
        Assert.Equal(symbols.Length, c.Syncs);
        long bookMessages = truth.OfType<SyntheticBook>().LongCount();
        Assert.Equal(bookMessages - symbols.Length, c.DiffsApplied);
        if (vc.Checksums)
        {
            Assert.Equal(bookMessages, c.ChecksumMatched);
            Assert.Equal(0, c.ChecksumMismatched);
        }
        if (vc.JudgedTickers)
        {
            Assert.True(c.BookTickerMatched > 500, $"{c.BookTickerMatched} tickers matched");
            Assert.Equal(0, c.BookTickerMismatched);
        }
    }

    private static long Pow10(int n)
    {
        long v = 1;
        for (int i = 0; i < n; i++) v *= 10;
        return v;
    }
}
