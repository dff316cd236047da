using TickEngine.Engine.Events;
using TickEngine.Engine.Live;
using TickEngine.Engine.Pipeline;
using TickEngine.Simulator;
using TickEngine.Storage.Format;
using TickEngine.Tests.Shared;
using Xunit;

namespace TickEngine.Engine.Tests.Live;

/// <summary>
/// Coinbase Advanced Trade live, through its simulator dialect playing the real capture (one subscribe message per
/// channel, acknowledgements on the subscriptions channel, every message renumbered with the connection's own
/// sequence_num): the trades equal the capture's; a message lost on the way skips a sequence number, every book of
/// the connection gets a gap marker and is resubscribed, and the fresh snapshots bring them back in sync.
/// </summary>
[Trait("Category", "Loopback")]
public class CoinbaseLiveTests
{
    private const string Capture = "coinbase/cryptofeed_COINBASE_advanced_trade.jsonl.gz";
    private static readonly string[] Products = ["BTC-USD", "ETH-USD"];

    private static HashSet<(string, long, long, byte)> CaptureTrades()
    {
        var set = new HashSet<(string, long, long, byte)>();
        foreach (var (_, f) in TickEngine.Engine.Tests.Venues.VenueRecording.CaptureFrames(Capture))
        {
            if (f.GetProperty("channel").GetString() != "market_trades") continue;
            foreach (var e in f.GetProperty("events").EnumerateArray())
                foreach (var t in e.GetProperty("trades").EnumerateArray())
                    set.Add((t.GetProperty("product_id").GetString()!, long.Parse(t.GetProperty("trade_id").GetString()!),
                        TickEngine.Engine.Tests.Venues.VenueRecording.Fixed(t.GetProperty("price").GetString()!),
                        t.GetProperty("side").GetString() == "BUY" ? (byte)TradeSide.Sell : (byte)TradeSide.Buy)); // the maker's side: the taker's is the other
        }
        return set;
    }

    [Fact]
    public async Task LiveThroughTheDialectRecordsTheCapturesTradesWithNoGap()
    {
        using var dir = new TempDir();
        await using var dialect = await SimulatorVenues.Find("coinbase")!.StartAsync(RepoPaths.Fixture(Capture), speed: 20);
        var (recorder, events) = await DialectRecording.Record(dir, "coinbase", dialect, Products);
        var c = recorder.Pipeline.Adapters[0].Counters;
        var registry = recorder.Pipeline.Registry;
        var got = events.Where(e => e.Kind == EventKind.Trade).Select(e => (registry[e.InstrumentId].Symbol, e.Id, e.Price, e.Side)).ToHashSet();
        var expected = CaptureTrades();
        Assert.Equal(279, expected.Count);
        Assert.Equal(expected, got);
        Assert.True(c.Gaps == 0, string.Join(" ", events.Where(e => e.Kind == EventKind.Status).Select(e => $"{(StatusKind)e.Side}({e.Id},{e.Id2})")) + " " + string.Join(";", c.MalformedByReason.Select(kv => kv.Key)));
        Assert.Equal(0, c.Crossed);
        Assert.True(c.Malformed == 0, string.Join("; ", c.MalformedByReason.Select(kv => $"{kv.Key}: {kv.Value}")) + " | " + string.Join(" || ", c.MalformedSamples.Take(3)));
        Assert.Equal(2, c.Syncs);
    }

    [Fact]
    public async Task ALostMessageIsAGapForEveryBookAndTheResubscriptionsResyncThem()
    {
        using var dir = new TempDir();
        await using var dialect = await SimulatorVenues.Find("coinbase")!.StartAsync(RepoPaths.Fixture(Capture), speed: 6, dropDelta: 60);
        var (recorder, events) = await DialectRecording.Record(dir, "coinbase", dialect, Products);
        var c = recorder.Pipeline.Adapters[0].Counters;
        Assert.Equal(2, c.Gaps); // both books of the connection
        Assert.True(dialect.BookSubscriptions >= 4, $"{dialect.BookSubscriptions} book subscriptions");
        foreach (var inst in recorder.Pipeline.Registry.All) DialectRecording.AssertResyncedAfter(events, StatusKind.SequenceGap, inst.Id);
        Assert.Equal(0, c.Crossed);
    }
}
