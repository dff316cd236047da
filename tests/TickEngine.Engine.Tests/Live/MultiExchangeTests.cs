using TickEngine.Simulator.Dialects.Binance;
using TickEngine.Engine.Live;
using TickEngine.Engine.Pipeline;
using TickEngine.Simulator;
using TickEngine.Simulator.Market;
using TickEngine.Storage.Format;
using TickEngine.Tests.Shared;
using Xunit;

namespace TickEngine.Engine.Tests.Live;

[Trait("Category", "Loopback")]
public class MultiExchangeTests
{
    [Fact]
    public async Task SpotAndFuturesRecordInOneProcessThroughOneRing()
    {
        using var dir = new TempDir();
        var spotMarket = new SyntheticMarketSource(["BTCUSDT", "ETHUSDT"], 3_000, seed: 1);
        var futMarket = new SyntheticMarketSource(["BTCUSDT"], 3_000, seed: 2, futures: true);
        var sim = new SimulatorOptions { Speed = 1 };
        await using var spot = await SimulatorServer.StartAsync(new SimulatedExchange(spotMarket, sim), sim);
        await using var fut = await SimulatorServer.StartAsync(new SimulatedExchange(futMarket, sim), sim);
        var spotLive = LiveOptions.Default with { VenueBase = spot.WebSocketBase, RestBase = spot.BaseAddress };
        var futLive = LiveOptions.Default with { VenueBase = fut.WebSocketBase, RestBase = fut.BaseAddress };
        var recorder = new LiveRecorder(new RecordOptions { Root = dir.Path },
            [("binance", spotLive, spotMarket.Symbols), ("binance-futures", futLive, futMarket.Symbols)]);
        recorder.Start();
        var until = DateTime.UtcNow.AddSeconds(20);
        while (DateTime.UtcNow < until && !(recorder.Pipeline.Adapters.All(a => a.Counters.DiffsApplied > 200 && a.Counters.TradeEvents > 200))) await Task.Delay(50);
        await recorder.StopAsync();

        Assert.Equal(2, recorder.Pipeline.Adapters.Count);
        foreach (var a in recorder.Pipeline.Adapters)
        {
            Assert.True(a.Counters.DiffsApplied > 200, $"{a.Exchange}: {a.Counters.DiffsApplied} diffs applied");
            Assert.True(a.Counters.TradeEvents > 200, $"{a.Exchange}: {a.Counters.TradeEvents} trades");
            Assert.True(a.Counters.Gaps == 0, $"{a.Exchange}: {a.Counters.Gaps} gaps, {a.Counters.SnapshotsStale} stale snapshots, {a.Counters.RestSnapshots} snapshots, {a.Counters.DiffsBuffered} diffs buffered, {a.Counters.DiffsStale} stale, reconnects {string.Join(",", recorder.Feeds.Select(f => f.Reconnects))}");
            Assert.Equal(0, a.Counters.Crossed);
            Assert.Equal(0, a.Counters.Malformed);
        }
        Assert.Equal(3, recorder.Feeds.Sum(f => f.Connections.Count)); // spot; futures /public (books) and /market (trades)
        foreach (var (exchange, symbol) in new[] { ("binance", "BTCUSDT"), ("binance", "ETHUSDT"), ("binance-futures", "BTCUSDT") })
        {
            var files = Storage.Layout.DataRoot.FindSegments(dir.Path, SchemaKind.Trades, symbol, exchange);
            Assert.NotEmpty(files);
        }
        var futTrades = Storage.Layout.DataRoot.FindSegments(dir.Path, SchemaKind.Trades, "BTCUSDT", "binance-futures");
        using var r = Storage.Reading.SegmentReader.Open(futTrades[0]);
        var buffer = r.CreateBuffer();
        r.ReadBlock(0, buffer);
        Assert.Equal((long)RowFlags.Aggregated, buffer[TradeColumns.Flags, 0] & (long)RowFlags.Aggregated);
    }
}
