using System.IO.Compression;
using System.Text;
using System.Text.Json;
using TickEngine.Engine.Book;
using TickEngine.Engine.Capture;
using TickEngine.Engine.Events;
using TickEngine.Engine.Ingest;
using TickEngine.Engine.Venues.Bybit;
using TickEngine.Storage.Format;
using TickEngine.Storage.Reading;
using TickEngine.Tests.Shared;
using Xunit;

namespace TickEngine.Engine.Tests.Venues;

/// <summary>
/// Bybit v5 recorded from the real capture (linear and spot on two connections) through the registry's adapter and
/// the ring: the books rebuilt from what was published hold exactly 200 x 200 levels after every delta and never
/// cross, no gap, every trade exact against an independent reading (UUID ids back as the exchange's text from the
/// stored segments), the side agreeing with the book, the tickers' best bid and ask agreeing with the book; and the
/// faults: a skipped u, a ticker that disagrees, a frame whose connection's market is unknown, ids that cannot be
/// stored exactly; zero allocation per frame in steady state.
/// </summary>
public class BybitAdapterTests
{
    private const string Capture = "bybit/cryptofeed_BYBIT_v5_linear_spot.jsonl.gz";

    [Fact]
    public void TheRealCaptureHasNoGapFullBooksExactTradesAndTickersThatAgree()
    {
        using var dir = new TempDir();
        var (pipeline, got) = VenueRecording.Record(dir, "bybit", a => new CaptureFileSource(RepoPaths.Fixture(Capture), a).Run());
        var c = pipeline.Adapters[0].Counters;
        Assert.Equal(0, c.Malformed);
        Assert.Equal(0, c.Gaps);
        Assert.Equal(6, c.Syncs);          // 4 linear books, 2 spot books
        Assert.Equal(2142, c.DiffsApplied);
        Assert.Equal(0, c.Crossed);
        Assert.Equal(0, c.BookTickerMismatched);
        Assert.Equal(619, c.BookTickerMatched);

        // The books as a reader of the stored deltas rebuilds them: 200 x 200 after every message, never crossed.
        var books = new Dictionary<int, OrderBook>();
        int messages = 0;
        foreach (var e in got.Events.Where(e => e.Kind == EventKind.BookDelta))
        {
            if ((e.Flags & (long)RowFlags.SnapshotBegins) != 0) books[e.InstrumentId] = new OrderBook();
            var book = books[e.InstrumentId];
            book.Set((BookSide)e.Side, e.Price, e.Quantity);
            if ((e.Flags & (long)RowFlags.LastInMessage) == 0) continue;
            messages++;
            Assert.Equal((200, 200), (book.BidCount, book.AskCount));
            Assert.False(book.IsCrossed);
        }
        Assert.Equal(2142 + 6, messages);

        // Trades: an independent reading of the capture, keyed by market and id text.
        var expected = ExpectedTrades();
        Assert.Equal(347, expected.Count);
        var trades = got.Events.Where(e => e.Kind == EventKind.Trade).ToList();
        Assert.Equal(347, trades.Count);
        foreach (var t in trades)
        {
            var inst = pipeline.Registry[t.InstrumentId];
            string id = TradeIds.ToText(t.Id, t.Id2, t.Flags)!;
            Assert.Equal(expected[(inst.Exchange, inst.Symbol, id)], (t.Price, t.Quantity, t.ExchangeTime, t.Side));
        }
        Assert.Equal(347, c.TradeSideMatchesBook); // S is the taker's side
        Assert.Equal(0, c.TradeSideAgainstBook);
        Assert.Equal(["bybit-spot/BTCUSDT", "bybit-spot/ETHUSDT", "bybit/BTCUSDT", "bybit/DOGEUSDT", "bybit/ETHUSDT", "bybit/SOLUSDT"],
            pipeline.Registry.All.Select(i => $"{i.Exchange}/{i.Symbol}").Order(StringComparer.Ordinal).ToArray());

        // The stored segments give the exchange's ids back: UUIDs on linear (format 1.1 text ids), digits on spot.
        var stored = new HashSet<(string, string, string)>();
        foreach (var path in Directory.GetFiles(dir.File("root"), "*.tks", SearchOption.AllDirectories).Where(p => p.Contains("/trades/")))
        {
            using var reader = SegmentReader.Open(path);
            Assert.Equal(reader.Header.Exchange == BybitAdapter.Derivatives, reader.Schema.TextTradeIds);
            using var cursor = new SegmentCursor(reader, ownsReader: false);
            while (cursor.MoveNext())
            {
                long lo = reader.Schema.TextTradeIds ? cursor[TradeColumns.TradeIdLo] : 0;
                stored.Add((reader.Header.Exchange, reader.Header.Symbol, TradeIds.ToText(cursor[TradeColumns.TradeId], lo, cursor[TradeColumns.Flags])!));
            }
        }
        Assert.Equal(expected.Keys.ToHashSet(), stored);
    }

    private static Dictionary<(string, string, string), (long, long, long, byte)> ExpectedTrades()
    {
        var expected = new Dictionary<(string, string, string), (long, long, long, byte)>();
        var markets = new Dictionary<string, string>();
        using var gz = new GZipStream(File.OpenRead(RepoPaths.Fixture(Capture)), CompressionMode.Decompress);
        using var reader = new StreamReader(gz);
        string? line;
        while ((line = reader.ReadLine()) is not null)
        {
            using var rec = JsonDocument.Parse(line);
            var root = rec.RootElement;
            string type = root.GetProperty("t").GetString()!;
            if (type == "connect") markets[root.GetProperty("conn").GetString()!] = root.GetProperty("addr").GetString()!.EndsWith("/spot") ? "bybit-spot" : "bybit";
            if (type != "recv") continue;
            using var f = JsonDocument.Parse(root.GetProperty("data").GetString()!);
            if (!f.RootElement.TryGetProperty("topic", out var topic) || !topic.GetString()!.StartsWith("publicTrade.")) continue;
            foreach (var t in f.RootElement.GetProperty("data").EnumerateArray())
                expected.Add((markets[root.GetProperty("conn").GetString()!], t.GetProperty("s").GetString()!, t.GetProperty("i").GetString()!),
                    (VenueRecording.Fixed(t.GetProperty("p").GetString()!), VenueRecording.Fixed(t.GetProperty("v").GetString()!), t.GetProperty("T").GetInt64() * 1_000_000,
                     t.GetProperty("S").GetString() == "Buy" ? (byte)TradeSide.Buy : (byte)TradeSide.Sell));
        }
        return expected;
    }

    private const long T0 = 1_786_310_819_000_000_000;
    private const string Linear = "wss://stream.bybit.com/v5/public/linear";

    private static byte[] Book(string type, long u, long seq, string bids, string asks) =>
        Encoding.UTF8.GetBytes($$"""{"topic":"orderbook.50.BTCUSDT","type":"{{type}}","ts":1786310819000,"data":{"s":"BTCUSDT","b":[{{bids}}],"a":[{{asks}}],"u":{{u}},"seq":{{seq}}},"cts":1786310818999}""");

    private static byte[] Ticker(long cs, string bid, string ask) =>
        Encoding.UTF8.GetBytes($$"""{"topic":"tickers.BTCUSDT","type":"delta","data":{"symbol":"BTCUSDT","bid1Price":"{{bid}}","bid1Size":"1","ask1Price":"{{ask}}","ask1Size":"1"},"cs":{{cs}},"ts":1786310819000}""");

    private static byte[] Trade(string id, string side = "Buy", string price = "101") =>
        Encoding.UTF8.GetBytes($$"""{"topic":"publicTrade.BTCUSDT","type":"snapshot","ts":1786310819001,"data":[{"T":1786310819000,"s":"BTCUSDT","S":"{{side}}","v":"0.5","p":"{{price}}","L":"PlusTick","i":"{{id}}","BT":false,"seq":1}]}""");

    [Fact]
    public void ASkippedUIsAGapATickerThatDisagreesInvalidatesAndAUOfOneReplaces()
    {
        using var dir = new TempDir();
        var (pipeline, got) = VenueRecording.Record(dir, "bybit", a =>
        {
            ((IConnectionAware)a).OnConnection(0, Linear);
            a.OnFrame(Book("snapshot", 10, 100, """["100","1"]""", """["101","2"]"""), T0);
            a.OnFrame(Ticker(100, "100", "101"), T0 + 1);                              // cut at the book's state: judged at the next message
            a.OnFrame(Book("delta", 11, 105, """["100","3"]""", ""), T0 + 2);         // matches (the state at seq 100)
            a.OnFrame(Book("delta", 11, 106, """["100","4"]""", ""), T0 + 3);         // a repeat: stale
            a.OnFrame(Book("delta", 13, 110, """["99","1"]""", ""), T0 + 4);          // u 12 missing: a gap
            a.OnFrame(Book("delta", 1, 120, """["98","1"]""", """["102","1"]"""), T0 + 5); // u = 1: Bybit restarted the book, it replaces
            a.OnFrame(Book("delta", 2, 125, """["98","2"]""", ""), T0 + 6);
            a.OnFrame(Ticker(121, "97", "102"), T0 + 7);                              // neither 98 (seq 120) nor 98 (seq 125): invalid
            a.OnFrame(Book("delta", 3, 130, """["98","3"]""", ""), T0 + 8);           // out of sync: dropped
        });
        var c = pipeline.Adapters[0].Counters;
        Assert.Equal(1, c.BookTickerMatched);
        Assert.Equal(1, c.BookTickerMismatched);
        Assert.Equal(1, c.Gaps);
        Assert.Equal(1, c.Resyncs);
        var status = got.Events.Where(e => e.Kind == EventKind.Status).Select(e => ((StatusKind)e.Side, e.Id, e.Id2)).ToList();
        Assert.Equal([(StatusKind.Resync, 10L, 0L), (StatusKind.SequenceGap, 12L, 13L), (StatusKind.Resync, 1L, 0L),
            (StatusKind.BookInvalid, VenueRecording.Fixed("97"), VenueRecording.Fixed("102"))], status);
        var bids = got.Events.Where(e => e.Kind == EventKind.BookDelta && e.Side == (byte)BookSide.Bid).Select(e => (e.Price / 100_000_000, e.Quantity / 100_000_000)).ToList();
        Assert.Equal([(100L, 1L), (100L, 3L), (98L, 1L), (98L, 2L)], bids);
        var replaced = got.Events.First(e => e.Kind == EventKind.BookDelta && e.Price == VenueRecording.Fixed("98"));
        Assert.Equal((long)(RowFlags.SnapshotBegins | RowFlags.FromSnapshot), replaced.Flags & (long)(RowFlags.SnapshotBegins | RowFlags.FromSnapshot));
        Assert.Equal(1_786_310_818_999_000_000, replaced.ExchangeTime); // cts, the matching engine's time
    }

    [Fact]
    public void FramesThatCannotBeRecordedExactlyChangeNothingAndSteadyStateAllocatesNothing()
    {
        using var dir = new TempDir();
        long allocated = -1;
        var (pipeline, got) = VenueRecording.Record(dir, "bybit", a =>
        {
            a.OnFrame(Book("snapshot", 10, 100, """["100","1"]""", """["101","2"]"""), T0);           // no connection known: which market?
            ((IConnectionAware)a).OnConnection(0, Linear);
            a.OnFrame(Book("snapshot", 10, 100, """["100","1"]""", """["101","2"]"""), T0 + 1);
            a.OnFrame(Trade("a9188a0a-82bc-50de-BE60-03eedbe3cdd7"), T0 + 2);                         // a mixed-case UUID: its case could not come back
            a.OnFrame(Trade("b9188a0a-82bc-50de-be60-03eedbe3cdd7", price: "101.000000001"), T0 + 3); // not exact at scale 8: the price scale moves to 9
            a.OnFrame(Book("delta", 11, 101, """["100","x"]""", ""), T0 + 4);
            var delta = Book("delta", 11, 101, """["100","3"]""", "");
            var trade = Trade("a9188a0a-82bc-50de-be60-03eedbe3cdd7");
            var ticker = Ticker(101, "100", "101");
            a.OnFrame(delta, T0 + 5);
            a.OnFrame(trade, T0 + 6);
            a.OnFrame(ticker, T0 + 7);
            // Steady state: the same frames again (a stale delta, a repeated trade, a ticker) allocate nothing.
            allocated = Allocations.Measure(() => { a.OnFrame(delta, T0 + 8); a.OnFrame(trade, T0 + 9); a.OnFrame(ticker, T0 + 10); });
        });
        var c = pipeline.Adapters[0].Counters;
        Assert.Equal(0, allocated);
        Assert.Equal(3, c.Malformed);
        Assert.Equal(1, c.ScaleChanges);
        Assert.Equal(2, c.DuplicateTrades); // the repeat, warmed up and measured
        var trades = got.Events.Where(e => e.Kind == EventKind.Trade).ToList();
        Assert.Equal(2, trades.Count);
        // The 9-decimal price is stored exactly, after a scale-change marker (price scale 9, quantity scale 8).
        Assert.Equal("b9188a0a-82bc-50de-be60-03eedbe3cdd7", TradeIds.ToText(trades[0].Id, trades[0].Id2, trades[0].Flags));
        Assert.Equal(101_000_000_001, trades[0].Price);
        var marker = Assert.Single(got.Events, e => e.Kind == EventKind.Status && e.Side == (byte)StatusKind.ScaleChange);
        Assert.Equal((9L, 8L), (marker.Id, marker.Id2));
        Assert.Equal("a9188a0a-82bc-50de-be60-03eedbe3cdd7", TradeIds.ToText(trades[1].Id, trades[1].Id2, trades[1].Flags));
        Assert.Equal(101_000_000_000, trades[1].Price); // 101 at scale 9
        // The book republished itself at the new scales (its prices x 10), then the delta applied.
        var levels = got.Events.Where(e => e.Kind == EventKind.BookDelta).Select(e => (e.Price, e.Quantity / 100_000_000)).ToList();
        Assert.Equal([(10_000_000_000L, 1L), (10_100_000_000L, 2L), (100_000_000_000L, 1L), (101_000_000_000L, 2L), (100_000_000_000L, 3L)], levels);
    }

    [Fact]
    public void ScalesFollowTheInstrumentsTickAndLotSizeNeverBelowEight()
    {
        using var dir = new TempDir();
        var (pipeline, _) = VenueRecording.Record(dir, "bybit", a =>
        {
            a.OnRest("""{"retCode":0,"result":{"category":"linear","list":[{"symbol":"TINYUSDT","priceFilter":{"tickSize":"0.0000000001"},"lotSizeFilter":{"qtyStep":"100"}},{"symbol":"BTCUSDT","priceFilter":{"tickSize":"0.10"},"lotSizeFilter":{"qtyStep":"0.001"}}]}}"""u8,
                T0, "https://api.bybit.com/v5/market/instruments-info?category=linear");
            ((IConnectionAware)a).OnConnection(0, Linear);
            a.OnFrame(Encoding.UTF8.GetBytes("""{"topic":"publicTrade.TINYUSDT","type":"snapshot","ts":1786310819001,"data":[{"T":1786310819000,"s":"TINYUSDT","S":"Sell","v":"300","p":"0.0000001234","i":"x-1"}]}"""), T0 + 1);
            a.OnFrame(Trade("t-2"), T0 + 2);
        });
        var tiny = pipeline.Registry.All.Single(i => i.Symbol == "TINYUSDT");
        var btc = pipeline.Registry.All.Single(i => i.Symbol == "BTCUSDT");
        Assert.Equal((10, 8), (tiny.PriceScale, tiny.QuantityScale)); // 10 decimals of tick size; 8 at least
        Assert.Equal((8, 8), (btc.PriceScale, btc.QuantityScale));
        Assert.Equal(0, pipeline.Adapters[0].Counters.Malformed);
        Assert.Equal(2, pipeline.Adapters[0].Counters.TradeEvents);
    }
}
