using System.IO.Compression;
using System.Text;
using System.Text.Json;
using TickEngine.Engine.Book;
using TickEngine.Engine.Venues;
using TickEngine.Engine.Venues.Binance;
using TickEngine.Engine.Venues.Bybit;
using TickEngine.Engine.Venues.Coinbase;
using TickEngine.Engine.Venues.Okx;
using TickEngine.Storage.Format;
using TickEngine.Storage.Numerics;
using TickEngine.Tests.Shared;
using Xunit;

namespace TickEngine.Engine.Tests.Venues;

/// <summary>
/// The venues' sequence rules and OKX's checksum on the real captures in ../shared/fixtures (cryptofeed's JSON
/// records, read here with System.Text.Json, apart from the engine's parsers), and on the cases the exchanges'
/// documents describe: a skipped id is a gap, a repeat is stale, a snapshot replaces.
/// </summary>
public class VenueRuleFixtureTests
{
    private const int Scale = 8;

    /// <summary>The frames of a cryptofeed capture, in order, with the connection each came on.</summary>
    private static IEnumerable<(string Conn, JsonElement Frame)> Frames(string fixture) => VenueRecording.CaptureFrames(fixture);

    private static long Fixed(string text)
    {
        Assert.True(FixedDecimal.TryParse(Encoding.ASCII.GetBytes(text), Scale, out long v, out var error), $"'{text}': {error}");
        return v;
    }

    private static void SetLevels(OrderBook book, BookSide side, JsonElement levels)
    {
        foreach (var level in levels.EnumerateArray()) book.Set(side, Fixed(level[0].GetString()!), Fixed(level[1].GetString()!));
    }

    [Fact]
    public void BybitBooksFollowUPlusOneWithNoGapAndHold200By200NeverCrossed()
    {
        var books = new Dictionary<(string, string), OrderBook>();
        int replaced = 0, applied = 0, gaps = 0, stale = 0;
        foreach (var (conn, f) in Frames("bybit/cryptofeed_BYBIT_v5_linear_spot.jsonl.gz"))
        {
            if (!f.TryGetProperty("topic", out var topic) || !topic.GetString()!.StartsWith("orderbook.", StringComparison.Ordinal)) continue;
            var data = f.GetProperty("data");
            var key = (conn, data.GetProperty("s").GetString()!);
            bool snapshot = f.GetProperty("type").GetString() == "snapshot";
            long u = data.GetProperty("u").GetInt64();
            var book = books.GetValueOrDefault(key);
            var verdict = BybitSequenceRule.Instance.Check(book?.UpdateId ?? -1, new SequenceFields(u, -1, snapshot));
            switch (verdict)
            {
                case SequenceVerdict.Replace:
                    replaced++;
                    book = books[key] = new OrderBook();
                    break;
                case SequenceVerdict.Apply: applied++; break;
                case SequenceVerdict.Gap: gaps++; continue;
                case SequenceVerdict.Stale: stale++; continue;
            }
            SetLevels(book!, BookSide.Bid, data.GetProperty("b"));
            SetLevels(book!, BookSide.Ask, data.GetProperty("a"));
            book!.UpdateId = u;
            Assert.Equal(200, book.BidCount);
            Assert.Equal(200, book.AskCount);
            Assert.False(book.IsCrossed, $"{key} crossed at u={u}");
        }
        Assert.Equal(6, replaced);      // 6 snapshots: 4 linear books and 2 spot books (BTCUSDT and ETHUSDT on both)
        Assert.Equal(2142, applied);    // every delta
        Assert.Equal(0, gaps);
        Assert.Equal(0, stale);
        Assert.Equal(6, books.Count);
    }

    [Fact]
    public void BybitRuleSaysGapForASkippedUStaleForARepeatAndReplaceForUOne()
    {
        var rule = BybitSequenceRule.Instance;
        Assert.Equal(SequenceVerdict.Apply, rule.Check(100, new SequenceFields(101, -1, false)));
        Assert.Equal(SequenceVerdict.Gap, rule.Check(100, new SequenceFields(102, -1, false)));
        Assert.Equal(SequenceVerdict.Stale, rule.Check(100, new SequenceFields(100, -1, false)));
        Assert.Equal(SequenceVerdict.Stale, rule.Check(100, new SequenceFields(57, -1, false)));
        Assert.Equal(SequenceVerdict.Replace, rule.Check(100, new SequenceFields(1, -1, false))); // u = 1: the service restarted
        Assert.Equal(SequenceVerdict.Replace, rule.Check(100, new SequenceFields(500, -1, true)));
        Assert.Equal(SequenceVerdict.Gap, rule.Check(-1, new SequenceFields(5, -1, false))); // a delta before any snapshot
    }

    [Fact]
    public void OkxChecksumMatchesEveryMessageOfTheRealCaptureAndAMissedUpdateIsCaught()
    {
        var (matched, mismatched, absent) = RunOkx(skipUpdate: -1);
        Assert.Equal(290, matched); // 3 snapshots and 287 updates, each with its real checksum
        Assert.Equal(0, mismatched);
        Assert.Equal(0, absent);

        // One update left out (a message lost on the way): the next checksum of that book says so.
        var (_, afterSkip, _) = RunOkx(skipUpdate: 40);
        Assert.True(afterSkip > 0);
    }

    private static (int Matched, int Mismatched, int Absent) RunOkx(int skipUpdate)
    {
        var books = new Dictionary<string, OrderBook>();
        int matched = 0, mismatched = 0, absent = 0, updates = 0;
        foreach (var (_, f) in Frames("okx/cryptofeed_OKX_v5.jsonl.gz"))
        {
            if (!f.TryGetProperty("arg", out var arg) || arg.GetProperty("channel").GetString() != "books" || !f.TryGetProperty("data", out var data)) continue;
            string inst = arg.GetProperty("instId").GetString()!;
            bool snapshot = f.GetProperty("action").GetString() == "snapshot";
            if (!snapshot && updates++ == skipUpdate) continue;
            foreach (var d in data.EnumerateArray())
            {
                if (snapshot) books[inst] = new OrderBook();
                var book = books[inst];
                SetLevels(book, BookSide.Bid, d.GetProperty("bids"));
                SetLevels(book, BookSide.Ask, d.GetProperty("asks"));
                int expected = d.TryGetProperty("checksum", out var c) ? c.GetInt32() : 0;
                if (expected == 0) { absent++; continue; }
                if (OkxChecksum.Compute(book, Scale, Scale) == expected) matched++; else mismatched++;
            }
        }
        return (matched, mismatched, absent);
    }

    [Fact]
    public void OkxChecksumFollowsTheDocumentedInterleavingWhenOneSideIsShorter()
    {
        // OKX's documented example: bids 3366.1 x 7, 3366 x 6; asks 3366.8 x 9, 3368 x 8, 3372 x 8.
        var book = new OrderBook();
        book.Set(BookSide.Bid, Fixed("3366.1"), Fixed("7"));
        book.Set(BookSide.Bid, Fixed("3366"), Fixed("6"));
        book.Set(BookSide.Ask, Fixed("3366.8"), Fixed("9"));
        book.Set(BookSide.Ask, Fixed("3368"), Fixed("8"));
        book.Set(BookSide.Ask, Fixed("3372"), Fixed("8"));
        int expected = unchecked((int)System.IO.Hashing.Crc32.HashToUInt32("3366.1:7:3366.8:9:3366:6:3368:8:3372:8"u8));
        Assert.Equal(expected, OkxChecksum.Compute(book, Scale, Scale));
        Assert.Equal(0, Allocations.Measure(() => OkxChecksum.Compute(book, Scale, Scale)));
    }

    [Fact]
    public void OkxRuleChainsPrevSeqIdAndKeepsNoChangeUpdates()
    {
        var rule = OkxSequenceRule.Instance;
        Assert.Equal(SequenceVerdict.Replace, rule.Check(-1, new SequenceFields(10, -1, true)));
        Assert.Equal(SequenceVerdict.Apply, rule.Check(10, new SequenceFields(15, 10, false)));
        Assert.Equal(SequenceVerdict.Apply, rule.Check(15, new SequenceFields(15, 15, false))); // no change, still a checksum
        Assert.Equal(SequenceVerdict.Gap, rule.Check(15, new SequenceFields(20, 17, false)));   // 15..17 missing
        Assert.Equal(SequenceVerdict.Stale, rule.Check(15, new SequenceFields(15, 10, false))); // the update already applied
        Assert.Equal(SequenceVerdict.Stale, rule.Check(15, new SequenceFields(12, 10, false)));
        Assert.Equal(SequenceVerdict.Gap, rule.Check(-1, new SequenceFields(15, 10, false)));   // an update with no book
        Assert.Equal(SequenceVerdict.Apply, rule.Check(-1, new SequenceFields(-1, -1, false))); // frames from before seqId: the checksum decides
    }

    /// <summary>
    /// Why OKX and Coinbase check their books by other means than a best bid/ask channel (README): on the real
    /// captures, OKX's <c>tickers</c> agree with the book as of their <c>ts</c> (or the next book message) once in 25
    /// (they are cut on another clock; the CRC-32 checksum, 290 of 290, is the check); Coinbase's <c>ticker</c> agrees
    /// with the book at its place in the connection's sequence 132 times in 154, and within five book messages every
    /// time: it lags the book, so a disagreement is not a fault (both books never cross, and trade sides are counted
    /// against the book instead).
    /// </summary>
    [Fact]
    public void OkxAndCoinbaseTickersAreNoExactCheckOfTheBook()
    {
        var okxBooks = new Dictionary<string, OrderBook>();
        var history = new Dictionary<string, List<(long Ts, long Bid, long Ask)>>();
        var okxTickers = new List<(string Inst, long Ts, long Bid, long Ask)>();
        foreach (var (_, f) in Frames("okx/cryptofeed_OKX_v5.jsonl.gz"))
        {
            if (!f.TryGetProperty("arg", out var arg) || !f.TryGetProperty("data", out var data)) continue;
            string channel = arg.GetProperty("channel").GetString()!, inst = arg.GetProperty("instId").GetString()!;
            foreach (var d in data.EnumerateArray())
            {
                long ts = long.Parse(d.GetProperty("ts").GetString()!, System.Globalization.CultureInfo.InvariantCulture);
                if (channel == "books")
                {
                    if (f.GetProperty("action").GetString() == "snapshot") okxBooks[inst] = new OrderBook();
                    var book = okxBooks[inst];
                    SetLevels(book, BookSide.Bid, d.GetProperty("bids"));
                    SetLevels(book, BookSide.Ask, d.GetProperty("asks"));
                    book.TryBestBid(out long bid, out _);
                    book.TryBestAsk(out long ask, out _);
                    (history.TryGetValue(inst, out var h) ? h : history[inst] = new()).Add((ts, bid, ask));
                }
                else if (channel == "tickers" && history.ContainsKey(inst))
                    okxTickers.Add((inst, ts, Fixed(d.GetProperty("bidPx").GetString()!), Fixed(d.GetProperty("askPx").GetString()!)));
            }
        }
        int okxAgree = okxTickers.Count(t =>
        {
            var h = history[t.Inst];
            int at = h.FindLastIndex(x => x.Ts <= t.Ts);
            return new[] { at, at + 1 }.Any(i => i >= 0 && i < h.Count && h[i].Bid == t.Bid && h[i].Ask == t.Ask);
        });
        Assert.Equal(25, okxTickers.Count);
        Assert.Equal(1, okxAgree);

        var cbBooks = new Dictionary<string, OrderBook>();
        var cbHistory = new Dictionary<string, List<(long Bid, long Ask)>>();
        var cbTickers = new List<(string Product, int At, long Bid, long Ask)>();
        foreach (var (_, f) in Frames("coinbase/cryptofeed_COINBASE_advanced_trade.jsonl.gz"))
        {
            if (!f.TryGetProperty("channel", out var ch)) continue;
            foreach (var e in f.GetProperty("events").EnumerateArray())
            {
                if (ch.GetString() == "l2_data")
                {
                    string product = e.GetProperty("product_id").GetString()!;
                    if (e.GetProperty("type").GetString() == "snapshot") cbBooks[product] = new OrderBook();
                    var book = cbBooks[product];
                    foreach (var u in e.GetProperty("updates").EnumerateArray())
                        book.Set(u.GetProperty("side").GetString() == "bid" ? BookSide.Bid : BookSide.Ask, Fixed(u.GetProperty("price_level").GetString()!), Fixed(u.GetProperty("new_quantity").GetString()!));
                    book.TryBestBid(out long bid, out _);
                    book.TryBestAsk(out long ask, out _);
                    (cbHistory.TryGetValue(product, out var h) ? h : cbHistory[product] = new()).Add((bid, ask));
                }
                else if (ch.GetString() == "ticker" && e.TryGetProperty("tickers", out var tickers))
                    foreach (var t in tickers.EnumerateArray())
                    {
                        string product = t.GetProperty("product_id").GetString()!;
                        if (cbHistory.TryGetValue(product, out var h))
                            cbTickers.Add((product, h.Count - 1, Fixed(t.GetProperty("best_bid").GetString()!), Fixed(t.GetProperty("best_ask").GetString()!)));
                    }
            }
        }
        bool Within(int k, (string Product, int At, long Bid, long Ask) t) =>
            Enumerable.Range(t.At - k, 2 * k + 1).Any(i => i >= 0 && i < cbHistory[t.Product].Count && cbHistory[t.Product][i] == (t.Bid, t.Ask));
        Assert.Equal(154, cbTickers.Count);
        Assert.Equal(132, cbTickers.Count(t => Within(0, t)));
        Assert.Equal(154, cbTickers.Count(t => Within(5, t)));
    }

    [Fact]
    public void BinanceRulesBracketTheSnapshotThenChainByUOrPu()
    {
        // Spot: the first diff kept after a snapshot at 100 must hold 101; later ones must start at or before u + 1.
        var spot = BinanceSequenceRule.Spot;
        Assert.Equal(SnapshotSource.Requested, ((ISequenceRule)spot).Snapshots);
        Assert.Equal(SequenceVerdict.Stale, spot.Check(100, new SequenceFields(100, -1, false, 95), firstAfterSnapshot: true));
        Assert.Equal(SequenceVerdict.Apply, spot.Check(100, new SequenceFields(105, -1, false, 98), firstAfterSnapshot: true));
        Assert.Equal(SequenceVerdict.Gap, spot.Check(100, new SequenceFields(110, -1, false, 102), firstAfterSnapshot: true));
        Assert.Equal(SequenceVerdict.Apply, spot.Check(105, new SequenceFields(110, -1, false, 106), false));
        Assert.Equal(SequenceVerdict.Gap, spot.Check(105, new SequenceFields(110, -1, false, 107), false));
        Assert.Equal(SequenceVerdict.Stale, spot.Check(105, new SequenceFields(105, -1, false, 101), false));
        Assert.Equal((106L, 107L), ((ISequenceRule)spot).GapIds(105, new SequenceFields(110, -1, false, 107), false));

        // Futures: the first diff must bracket the id (U <= id <= u) or follow it by pu; then pu must be the last u.
        var futures = BinanceSequenceRule.Futures;
        Assert.Equal(SequenceVerdict.Stale, futures.Check(100, new SequenceFields(99, 90, false, 95), firstAfterSnapshot: true));
        Assert.Equal(SequenceVerdict.Apply, futures.Check(100, new SequenceFields(100, 90, false, 95), firstAfterSnapshot: true));
        Assert.Equal(SequenceVerdict.Apply, futures.Check(100, new SequenceFields(120, 100, false, 110), firstAfterSnapshot: true));
        Assert.Equal(SequenceVerdict.Gap, futures.Check(100, new SequenceFields(120, 105, false, 110), firstAfterSnapshot: true));
        Assert.Equal(SequenceVerdict.Apply, futures.Check(120, new SequenceFields(130, 120, false, 125), false));
        Assert.Equal(SequenceVerdict.Gap, futures.Check(120, new SequenceFields(130, 121, false, 125), false));
        Assert.Equal((120L, 121L), ((ISequenceRule)futures).GapIds(120, new SequenceFields(130, 121, false, 125), false));
        Assert.Equal((100L, 110L), ((ISequenceRule)futures).GapIds(100, new SequenceFields(120, 105, false, 110), true));
    }

    [Fact]
    public void CoinbaseSequenceIsContiguousPerConnectionAndItsBooksNeverCross()
    {
        long last = -1;
        int messages = 0, gaps = 0, stale = 0;
        var books = new Dictionary<string, OrderBook>();
        foreach (var (_, f) in Frames("coinbase/cryptofeed_COINBASE_advanced_trade.jsonl.gz"))
        {
            if (!f.TryGetProperty("sequence_num", out var seq)) continue;
            long n = seq.GetInt64();
            var verdict = CoinbaseSequenceRule.Instance.Check(last, new SequenceFields(n, -1, false));
            if (verdict == SequenceVerdict.Gap) gaps++;
            if (verdict == SequenceVerdict.Stale) { stale++; continue; }
            last = n;
            messages++;
            if (f.GetProperty("channel").GetString() != "l2_data") continue;
            foreach (var e in f.GetProperty("events").EnumerateArray())
            {
                string product = e.GetProperty("product_id").GetString()!;
                if (e.GetProperty("type").GetString() == "snapshot") books[product] = new OrderBook();
                var book = books[product];
                foreach (var u in e.GetProperty("updates").EnumerateArray())
                    book.Set(u.GetProperty("side").GetString() == "bid" ? BookSide.Bid : BookSide.Ask,
                        Fixed(u.GetProperty("price_level").GetString()!), Fixed(u.GetProperty("new_quantity").GetString()!));
                Assert.False(book.IsCrossed, $"{product} crossed at sequence {n}");
            }
        }
        Assert.Equal(1030, messages); // 0..1029
        Assert.Equal(1029, last);
        Assert.Equal(0, gaps);
        Assert.Equal(0, stale);
        Assert.Equal(2, books.Count);

        var rule = CoinbaseSequenceRule.Instance;
        Assert.Equal(SequenceVerdict.Gap, rule.Check(7, new SequenceFields(9, -1, false)));
        Assert.Equal(SequenceVerdict.Stale, rule.Check(7, new SequenceFields(7, -1, false)));
        Assert.Equal(SequenceVerdict.Apply, rule.Check(7, new SequenceFields(8, -1, false)));
    }
}
