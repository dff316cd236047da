using System.IO.Compression;
using System.Text.Json;
using TickEngine.Engine.Events;
using TickEngine.Engine.Live;
using TickEngine.Engine.Pipeline;
using TickEngine.Simulator;
using TickEngine.Simulator.Market;
using TickEngine.Storage.Format;
using TickEngine.Tests.Shared;
using Xunit;

namespace TickEngine.Engine.Tests.Live;

/// <summary>
/// Bybit live, through its simulator dialect playing the real capture over loopback WebSockets (subscribe, ping,
/// acknowledgements as Bybit sends them): the trades recorded live equal the capture's, exactly; a delta the
/// dialect leaves out is a gap marker, and the adapter's resubscription brings a fresh snapshot that puts the book
/// back in sync. (All four venues in one process: MultiVenueLiveTests.)
/// </summary>
[Trait("Category", "Loopback")]
public class BybitLiveTests
{
    private const string Capture = "bybit/cryptofeed_BYBIT_v5_linear_spot.jsonl.gz";
    private static readonly string[] Linear = ["BTCUSDT", "ETHUSDT", "SOLUSDT", "DOGEUSDT"];

    private static HashSet<(string, string, long, long, byte)> CaptureLinearTrades()
    {
        var set = new HashSet<(string, string, long, long, byte)>();
        string? linearConn = null;
        using var gz = new GZipStream(File.OpenRead(RepoPaths.Fixture(Capture)), CompressionMode.Decompress);
        using var reader = new StreamReader(gz);
        string? line;
        while ((line = reader.ReadLine()) is not null)
        {
            using var rec = JsonDocument.Parse(line);
            var r = rec.RootElement;
            if (r.GetProperty("t").GetString() == "connect" && r.GetProperty("addr").GetString()!.EndsWith("/linear")) linearConn = r.GetProperty("conn").GetString();
            if (r.GetProperty("t").GetString() != "recv" || r.GetProperty("conn").GetString() != linearConn) continue;
            using var f = JsonDocument.Parse(r.GetProperty("data").GetString()!);
            if (!f.RootElement.TryGetProperty("topic", out var topic) || !topic.GetString()!.StartsWith("publicTrade.")) continue;
            foreach (var t in f.RootElement.GetProperty("data").EnumerateArray())
                set.Add((t.GetProperty("s").GetString()!, t.GetProperty("i").GetString()!, TickEngine.Engine.Tests.Venues.VenueRecording.Fixed(t.GetProperty("p").GetString()!),
                    t.GetProperty("T").GetInt64() * 1_000_000, t.GetProperty("S").GetString() == "Buy" ? (byte)TradeSide.Buy : (byte)TradeSide.Sell));
        }
        return set;
    }

    [Fact]
    public async Task LiveThroughTheDialectRecordsTheCapturesTradesExactly()
    {
        using var dir = new TempDir();
        await using var dialect = await SimulatorVenues.Find("bybit")!.StartAsync(RepoPaths.Fixture(Capture), speed: 25);
        var (recorder, events) = await DialectRecording.Record(dir, "bybit", dialect, Linear);
        var c = recorder.Pipeline.Adapters[0].Counters;
        var registry = recorder.Pipeline.Registry;
        var got = events.Where(e => e.Kind == EventKind.Trade)
            .Select(e => (registry[e.InstrumentId].Symbol, TradeIds.ToText(e.Id, e.Id2, e.Flags)!, e.Price, e.ExchangeTime, e.Side)).ToHashSet();
        var expected = CaptureLinearTrades();
        Assert.Equal(327, expected.Count);
        Assert.Equal(expected, got);
        Assert.Equal(0, c.Gaps);
        Assert.Equal(0, c.Malformed);
        Assert.Equal(0, c.Crossed);
        Assert.True(c.DiffsApplied > 1500, $"{c.DiffsApplied} deltas applied");
        Assert.Equal(0, c.BookTickerMismatched);
        Assert.All(registry.All, i => Assert.Equal("bybit", i.Exchange));
        Assert.Contains(recorder.Feeds[0].Connections, x => x.Uri.AbsolutePath == "/v5/public/linear");
    }

    [Fact]
    public async Task ADroppedDeltaIsAGapAndTheResubscriptionResyncsTheBook()
    {
        using var dir = new TempDir();
        await using var dialect = await SimulatorVenues.Find("bybit")!.StartAsync(RepoPaths.Fixture(Capture), speed: 10, dropDelta: 300);
        var (recorder, events) = await DialectRecording.Record(dir, "bybit", dialect, Linear);
        var c = recorder.Pipeline.Adapters[0].Counters;
        Assert.Equal(1, c.Gaps);
        Assert.True(c.Resyncs >= 1, $"{c.Resyncs} resyncs");
        Assert.True(dialect.BookSubscriptions > Linear.Length, $"{dialect.BookSubscriptions} book subscriptions: the gap's book was subscribed again");
        // The gapped book: a gap marker, then a resync marker (the fresh snapshot), then deltas applied again.
        DialectRecording.AssertResyncedAfter(events, StatusKind.SequenceGap);
        Assert.Equal(0, c.Crossed);
    }
}
