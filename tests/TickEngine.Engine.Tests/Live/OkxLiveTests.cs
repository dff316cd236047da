using TickEngine.Engine.Events;
using TickEngine.Engine.Live;
using TickEngine.Engine.Pipeline;
using TickEngine.Simulator;
using TickEngine.Storage.Format;
using TickEngine.Tests.Shared;
using Xunit;

namespace TickEngine.Engine.Tests.Live;

/// <summary>
/// OKX live, through its simulator dialect playing the real capture (subscribe acknowledgements per argument,
/// text ping and pong, fresh snapshots with their checksum on resubscription): the trades equal the capture's and
/// every checksum matches; a left-out update shows as a checksum mismatch (these frames predate seqId, so the
/// checksum is the continuity check), the book is resubscribed and back in sync.
/// </summary>
[Trait("Category", "Loopback")]
public class OkxLiveTests
{
    private const string Capture = "okx/cryptofeed_OKX_v5.jsonl.gz";
    private static readonly string[] Instruments = ["BTC-USDT", "UNI-USD-SWAP", "BTC-USD-220527"];

    private static HashSet<(string, long, long, long, byte)> CaptureTrades()
    {
        var set = new HashSet<(string, long, long, long, byte)>();
        foreach (var (_, f) in TickEngine.Engine.Tests.Venues.VenueRecording.CaptureFrames(Capture))
        {
            if (!f.TryGetProperty("arg", out var arg) || arg.GetProperty("channel").GetString() != "trades" || !f.TryGetProperty("data", out var d)) continue;
            foreach (var t in d.EnumerateArray())
                set.Add((t.GetProperty("instId").GetString()!, long.Parse(t.GetProperty("tradeId").GetString()!), TickEngine.Engine.Tests.Venues.VenueRecording.Fixed(t.GetProperty("px").GetString()!),
                    long.Parse(t.GetProperty("ts").GetString()!) * 1_000_000, t.GetProperty("side").GetString() == "buy" ? (byte)TradeSide.Buy : (byte)TradeSide.Sell));
        }
        return set;
    }

    /// <summary>The first books update from the 50th on that changes a best bid or ask: leaving it out must change the next checksum.</summary>
    private static int TopOfBookUpdate()
    {
        var books = new Dictionary<string, (SortedDictionary<decimal, decimal> Bids, SortedDictionary<decimal, decimal> Asks)>();
        int update = 0;
        foreach (var (_, f) in TickEngine.Engine.Tests.Venues.VenueRecording.CaptureFrames(Capture))
        {
            if (!f.TryGetProperty("arg", out var arg) || arg.GetProperty("channel").GetString() != "books" || !f.TryGetProperty("data", out var d)) continue;
            string inst = arg.GetProperty("instId").GetString()!;
            bool snapshot = f.GetProperty("action").GetString() == "snapshot";
            if (snapshot || !books.ContainsKey(inst)) books[inst] = (new(Comparer<decimal>.Create((a, b) => b.CompareTo(a))), new());
            var (bids, asks) = books[inst];
            bool top = false;
            foreach (var item in d.EnumerateArray())
                foreach (var (side, book) in new[] { ("bids", bids), ("asks", asks) })
                    foreach (var level in item.GetProperty(side).EnumerateArray())
                    {
                        decimal px = decimal.Parse(level[0].GetString()!, System.Globalization.CultureInfo.InvariantCulture), q = decimal.Parse(level[1].GetString()!, System.Globalization.CultureInfo.InvariantCulture);
                        if (!snapshot && book.Count > 0 && px == book.Keys.First()) top = true;
                        if (q == 0) book.Remove(px); else book[px] = q;
                    }
            if (snapshot) continue;
            if (update >= 50 && top) return update;
            update++;
        }
        throw new InvalidOperationException("no update at the top of a book");
    }

    [Fact]
    public async Task LiveThroughTheDialectRecordsTheTradesAndMatchesEveryChecksum()
    {
        using var dir = new TempDir();
        await using var dialect = await SimulatorVenues.Find("okx")!.StartAsync(RepoPaths.Fixture(Capture), speed: 60);
        var (recorder, events) = await DialectRecording.Record(dir, "okx", dialect, Instruments);
        var c = recorder.Pipeline.Adapters[0].Counters;
        var registry = recorder.Pipeline.Registry;
        var got = events.Where(e => e.Kind == EventKind.Trade).Select(e => (registry[e.InstrumentId].Symbol, e.Id, e.Price, e.ExchangeTime, e.Side)).ToHashSet();
        var expected = CaptureTrades();
        Assert.Equal(74, expected.Count);
        Assert.Equal(expected, got);
        Assert.True(c.ChecksumMatched >= 290, $"{c.ChecksumMatched} checksums matched");
        Assert.Equal(0, c.ChecksumMismatched);
        Assert.Equal(0, c.Gaps);
        Assert.Equal(0, c.Malformed);
    }

    [Fact]
    public async Task ALeftOutUpdateFailsTheNextChecksumAndTheResubscriptionResyncsTheBook()
    {
        using var dir = new TempDir();
        await using var dialect = await SimulatorVenues.Find("okx")!.StartAsync(RepoPaths.Fixture(Capture), speed: 60, dropDelta: TopOfBookUpdate());
        var (recorder, events) = await DialectRecording.Record(dir, "okx", dialect, Instruments);
        var c = recorder.Pipeline.Adapters[0].Counters;
        Assert.Equal(1, c.ChecksumMismatched);
        Assert.True(dialect.BookSubscriptions > Instruments.Length, $"{dialect.BookSubscriptions} book subscriptions");
        DialectRecording.AssertResyncedAfter(events, StatusKind.BookInvalid);
    }
}
