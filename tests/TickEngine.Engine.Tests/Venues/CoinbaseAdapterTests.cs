using System.IO.Compression;
using System.Text;
using System.Text.Json;
using TickEngine.Engine.Book;
using TickEngine.Engine.Capture;
using TickEngine.Engine.Events;
using TickEngine.Engine.Ingest;
using TickEngine.Engine.Pipeline;
using TickEngine.Engine.Ring;
using TickEngine.Engine.Venues;
using TickEngine.Engine.Venues.Coinbase;
using TickEngine.Storage.Format;
using TickEngine.Storage.Numerics;
using TickEngine.Tests.Shared;
using Xunit;

namespace TickEngine.Engine.Tests.Venues;

/// <summary>
/// Coinbase Advanced Trade recorded from the real capture through the registry's adapter and the ring, checked
/// against an independent reading of the same frames (System.Text.Json): every trade exact, the books rebuilt from
/// the published level changes equal the independent books after every message and never cross, the sequence
/// contiguous; and the faults a connection can show (a skipped sequence, a repeat, a malformed frame).
/// </summary>
public class CoinbaseAdapterTests
{
    private const string Capture = "coinbase/cryptofeed_COINBASE_advanced_trade.jsonl.gz";

    private static long Ns(string iso) => (DateTime.Parse(iso, null, System.Globalization.DateTimeStyles.AdjustToUniversal | System.Globalization.DateTimeStyles.AssumeUniversal) - DateTime.UnixEpoch).Ticks * 100
                                          + (iso.Contains('.') ? long.Parse(iso.Split('.')[1].TrimEnd('Z').PadRight(9, '0')[7..9]) : 0);

    [Fact]
    public void TheRealCaptureRecordsEveryTradeExactlyAndBooksThatMatchAnIndependentRebuild()
    {
        using var dir = new TempDir();
        var (pipeline, got) = VenueRecording.Record(dir, "coinbase", a => new CaptureFileSource(RepoPaths.Fixture(Capture), a).Run());
        var c = pipeline.Adapters[0].Counters;

        // The independent reading: every distinct trade, in id order per product; maker side turned into the taker's.
        var expected = new SortedDictionary<(string, long), (long Price, long Size, long Time, TradeSide Side)>();
        using (var gz = new GZipStream(File.OpenRead(RepoPaths.Fixture(Capture)), CompressionMode.Decompress))
        using (var reader = new StreamReader(gz))
        {
            string? line;
            while ((line = reader.ReadLine()) is not null)
            {
                using var rec = JsonDocument.Parse(line);
                if (rec.RootElement.GetProperty("t").GetString() != "recv") continue;
                using var f = JsonDocument.Parse(rec.RootElement.GetProperty("data").GetString()!);
                if (f.RootElement.GetProperty("channel").GetString() != "market_trades") continue;
                foreach (var e in f.RootElement.GetProperty("events").EnumerateArray())
                foreach (var t in e.GetProperty("trades").EnumerateArray())
                    expected[(t.GetProperty("product_id").GetString()!, long.Parse(t.GetProperty("trade_id").GetString()!))] =
                        (VenueRecording.Fixed(t.GetProperty("price").GetString()!), VenueRecording.Fixed(t.GetProperty("size").GetString()!), Ns(t.GetProperty("time").GetString()!),
                         t.GetProperty("side").GetString() == "BUY" ? TradeSide.Sell : TradeSide.Buy);
            }
        }
        var trades = got.Events.Where(e => e.Kind == EventKind.Trade).ToList();
        Assert.Equal(expected.Count, trades.Count);
        Assert.Equal(279, trades.Count); // 200 sent at subscription (history) and 79 live
        var registry = pipeline.Registry;
        foreach (var t in trades)
        {
            var x = expected[(registry[t.InstrumentId].Symbol, t.Id)];
            Assert.Equal((x.Price, x.Size, x.Time, (byte)x.Side), (t.Price, t.Quantity, t.ExchangeTime, t.Side));
        }

        // The published level changes rebuild books that never cross; both products synced once, no gap.
        var books = new Dictionary<int, OrderBook>();
        foreach (var e in got.Events.Where(e => e.Kind == EventKind.BookDelta))
        {
            if ((e.Flags & (long)RowFlags.SnapshotBegins) != 0) books[e.InstrumentId] = new OrderBook();
            books[e.InstrumentId].Set((BookSide)e.Side, e.Price, e.Quantity);
            if ((e.Flags & (long)RowFlags.LastInMessage) != 0) Assert.False(books[e.InstrumentId].IsCrossed);
        }
        Assert.Equal(2, books.Count);
        Assert.Equal(0, c.Gaps);
        Assert.Equal(0, c.Malformed);
        Assert.Equal(0, c.SequenceRepeats);
        Assert.Equal(2, c.Syncs);
        Assert.Equal(773, c.DiffsApplied);
        // The adapter's books end equal to the rebuilt ones.
        var adapter = (CoinbaseAdapter)pipeline.Adapters[0];
        foreach (var (id, book) in books)
        {
            var mine = adapter.BookOf(id)!.Book;
            Assert.Equal(book.BidCount, mine.BidCount);
            Assert.Equal(book.AskCount, mine.AskCount);
            Span<long> p1 = new long[book.BidCount], q1 = new long[book.BidCount], p2 = new long[book.BidCount], q2 = new long[book.BidCount];
            book.CopyTop(BookSide.Bid, p1, q1);
            mine.CopyTop(BookSide.Bid, p2, q2);
            Assert.True(p1.SequenceEqual(p2) && q1.SequenceEqual(q2));
        }
        // The stored side is the taker's: no live trade printed at the bid was stored as bought, nor at the ask as sold.
        Assert.Equal(0, c.TradeSideAgainstBook);
        Assert.True(c.TradeSideMatchesBook >= 70, $"{c.TradeSideMatchesBook} trades judged");
    }

    private static byte[] Frame(string json) => Encoding.UTF8.GetBytes(json);
    private const long T0 = 1_786_309_548_000_000_000;

    private static string L2(long seq, string type, string updates) =>
        $$"""{"channel":"l2_data","timestamp":"2026-08-09T21:05:48.000000000Z","sequence_num":{{seq}},"events":[{"type":"{{type}}","product_id":"BTC-USD","updates":[{{updates}}]}]}""";

    private static string Level(string side, string price, string qty) =>
        $$"""{"side":"{{side}}","event_time":"2026-08-09T21:05:48.000001Z","price_level":"{{price}}","new_quantity":"{{qty}}"}""";

    [Fact]
    public void ASkippedSequenceIsAGapForTheBooksARepeatIsDroppedAndASnapshotResyncs()
    {
        using var dir = new TempDir();
        var (pipeline, got) = VenueRecording.Record(dir, "coinbase", a =>
        {
            a.OnFrame(Frame(L2(0, "snapshot", Level("bid", "100", "1") + "," + Level("offer", "101", "2"))), T0);
            a.OnFrame(Frame(L2(1, "update", Level("bid", "100", "3"))), T0 + 1);
            a.OnFrame(Frame(L2(1, "update", Level("bid", "100", "9"))), T0 + 2);  // a repeat: dropped
            a.OnFrame(Frame(L2(3, "update", Level("bid", "99", "1"))), T0 + 3);   // 2 is missing: a gap
            a.OnFrame(Frame(L2(4, "update", Level("bid", "98", "1"))), T0 + 4);   // out of sync: dropped
            a.OnFrame(Frame(L2(5, "snapshot", Level("bid", "97", "1") + "," + Level("offer", "102", "2"))), T0 + 5);
        });
        var c = pipeline.Adapters[0].Counters;
        Assert.Equal(1, c.SequenceRepeats);
        Assert.Equal(1, c.Gaps);
        Assert.Equal(1, c.Resyncs);
        var status = got.Events.Where(e => e.Kind == EventKind.Status).Select(e => ((StatusKind)e.Side, e.Id, e.Id2)).ToList();
        Assert.Equal([(StatusKind.Resync, 0L, 0L), (StatusKind.SequenceGap, 2L, 3L), (StatusKind.Resync, 5L, 0L)], status);
        var deltas = got.Events.Where(e => e.Kind == EventKind.BookDelta).Select(e => (e.Price / 100_000_000, e.Quantity / 100_000_000)).ToList();
        Assert.Equal([(100L, 1L), (101L, 2L), (100L, 3L), (97L, 1L), (102L, 2L)], deltas); // nothing from the repeat, the gap or after it
    }

    [Fact]
    public void AFrameMalformedAnywhereChangesNothingAndAllocatesNothing()
    {
        using var dir = new TempDir();
        var good = Frame(L2(0, "snapshot", Level("bid", "100", "1") + "," + Level("offer", "101", "2")));
        var badLast = Frame(L2(1, "update", Level("bid", "100", "3") + "," + Level("offer", "101", "x")));
        var trailing = Frame(L2(1, "update", Level("bid", "100", "4")) + "}");
        var crossing = Frame(L2(3, "update", Level("bid", "102", "1")));
        long allocated = -1;
        var (pipeline, got) = VenueRecording.Record(dir, "coinbase", a =>
        {
            a.OnFrame(good, T0);
            a.OnFrame(badLast, T0 + 1);
            a.OnFrame(trailing, T0 + 2);
            var update = Frame(L2(1, "update", Level("bid", "100", "5")));
            var trade = Frame("""{"channel":"market_trades","timestamp":"2026-08-09T21:05:48.1Z","sequence_num":2,"events":[{"type":"update","trades":[{"product_id":"BTC-USD","trade_id":"77","price":"101","size":"0.5","time":"2026-08-09T21:05:48.05Z","side":"SELL"}]}]}""");
            a.OnFrame(update, T0 + 3);
            a.OnFrame(trade, T0 + 4);
            // Steady state: the last frame again (repeats of the connection's last number, counted) allocates nothing.
            allocated = Allocations.Measure(() => { a.OnFrame(trade, T0 + 5); a.OnFrame(trade, T0 + 6); });
            a.OnFrame(crossing, T0 + 7);
        });
        var c = pipeline.Adapters[0].Counters;
        Assert.Equal(2, c.Malformed);
        Assert.Equal(0, allocated);
        var levels = got.Events.Where(e => e.Kind == EventKind.BookDelta).Select(e => e.Quantity / 100_000_000).ToList();
        Assert.Equal([1L, 2L, 5L, 1L], levels); // neither malformed frame left a level; the crossing one is stored, then the book is invalid
        var trade1 = Assert.Single(got.Events, e => e.Kind == EventKind.Trade);
        Assert.Equal((byte)TradeSide.Buy, trade1.Side); // the maker sold: the taker bought, at the ask
        Assert.Equal(1, c.TradeSideMatchesBook);
        Assert.Equal(1, c.Crossed);
        Assert.Contains(got.Events, e => e.Kind == EventKind.Status && e.Side == (byte)StatusKind.BookInvalid);
    }

    [Fact]
    public void IsoTimesConvertExactly()
    {
        Assert.True(IsoTime.TryParseUtc("2026-08-09T21:05:48.228568804Z"u8, out long ns));
        Assert.Equal(new DateTimeOffset(2026, 8, 9, 21, 5, 48, TimeSpan.Zero).ToUnixTimeMilliseconds() * 1_000_000 + 228_568_804, ns);
        Assert.True(IsoTime.TryParseUtc("2000-02-29T00:00:00Z"u8, out ns));
        Assert.Equal(951_782_400_000_000_000, ns);
        Assert.False(IsoTime.TryParseUtc("2026-02-29T00:00:00Z"u8, out _));
        Assert.False(IsoTime.TryParseUtc("2026-08-09T21:05:48.1234567890Z"u8, out _));
        Assert.False(IsoTime.TryParseUtc("2026-08-09T21:05:48"u8, out _));
        Assert.Equal("coinbase", VenueRegistry.Find("COINBASE")!.Name);
    }
}
