using TickEngine.Simulator.Dialects.Binance;
using TickEngine.Engine.Live;
using TickEngine.Engine.Pipeline;
using TickEngine.Simulator;
using TickEngine.Simulator.Market;
using TickEngine.Tests.Shared;
using Xunit;

namespace TickEngine.Engine.Tests.Live;

/// <summary>Four venues live in one process, one ring, one data root: Binance (its simulator), Bybit, OKX and Coinbase (their dialects).</summary>
[Trait("Category", "Loopback")]
public class MultiVenueLiveTests
{
    [Fact]
    public async Task BinanceBybitOkxAndCoinbaseRecordLiveTogether()
    {
        using var dir = new TempDir();
        await using var bybit = await SimulatorVenues.Find("bybit")!.StartAsync(VenueCases.Of("bybit").CapturePath, speed: 25);
        await using var okx = await SimulatorVenues.Find("okx")!.StartAsync(VenueCases.Of("okx").CapturePath, speed: 60);
        await using var coinbase = await SimulatorVenues.Find("coinbase")!.StartAsync(VenueCases.Of("coinbase").CapturePath, speed: 20);
        var market = new SyntheticMarketSource(["BTCUSDT"], 2_000, seed: 5);
        var sim = new SimulatorOptions { Speed = 1 };
        await using var binance = await SimulatorServer.StartAsync(new SimulatedExchange(market, sim), sim);
        var options = new RecordOptions { Root = dir.Path, Rules = TickEngine.Engine.Ingest.FrameRules.NoSkewBound }; // the captures' own (past) times
        var recorder = new LiveRecorder(options,
        [
            ("binance", LiveOptions.Default with { VenueBase = binance.WebSocketBase, RestBase = binance.BaseAddress }, ["BTCUSDT"]),
            ("bybit", LiveOptions.Default with { VenueBase = bybit.WebSocketBase }, ["BTCUSDT", "ETHUSDT"]),
            ("okx", LiveOptions.Default with { VenueBase = okx.WebSocketBase }, ["BTC-USDT", "UNI-USD-SWAP"]),
            ("coinbase", LiveOptions.Default with { VenueBase = coinbase.WebSocketBase }, ["BTC-USD", "ETH-USD"]),
        ]);
        recorder.Start();
        await Task.WhenAll(bybit.Played, okx.Played, coinbase.Played).WaitAsync(TimeSpan.FromSeconds(90));
        await Task.Delay(500);
        await recorder.StopAsync();
        Assert.Equal(["binance", "bybit", "okx", "coinbase"], recorder.Pipeline.Adapters.Select(a => a.Exchange).ToArray());
        foreach (var a in recorder.Pipeline.Adapters)
        {
            var c = a.Counters;
            Assert.True(c.TradeEvents > 10 && c.DiffsApplied > 100, $"{a.Exchange}: {c.TradeEvents} trades, {c.DiffsApplied} book messages");
            Assert.True(c.Gaps == 0 && c.Crossed == 0 && c.Malformed == 0 && c.ChecksumMismatched == 0, $"{a.Exchange}: {c.Gaps} gaps, {c.Crossed} crossed, {c.Malformed} malformed");
        }
        foreach (var x in new[] { "binance", "bybit", "okx", "coinbase" }) Assert.True(Directory.Exists(Path.Combine(dir.Path, x)), x);
        Assert.Equal(1 + 1 + 1 + 1, recorder.Feeds.Sum(f => f.Connections.Count)); // Binance spot; Bybit linear; OKX; Coinbase
    }

    public static TheoryData<string, string> Faults
    {
        get
        {
            var d = new TheoryData<string, string>();
            foreach (var fault in new[] { "stall", "drop" })
                foreach (var c in VenueCases.All) d.Add(c.Venue, fault);
            return d;
        }
    }

    [Theory]
    [MemberData(nameof(Faults))]
    public async Task AStalledOrCutConnectionIsLeftAndTheBooksResyncAfterTheReconnect(string venue, string fault)
    {
        using var dir = new TempDir();
        var vc = VenueCases.Of(venue);
        var symbols = string.Join(",", vc.LiveSymbols.Take(2));
        int At(string f) => fault == f ? vc.FaultFrame : -1; // the stall (the watchdog leaves it) or the cut at that frame
        await using var dialect = await SimulatorVenues.Find(venue)!.StartAsync(vc.CapturePath, vc.FaultSpeed, stallAt: At("stall"), dropAt: At("drop"));
        var collector = new TickEngine.Engine.Tests.Venues.VenueRecording.Collector();
        var options = new RecordOptions { Root = dir.Path, ExtraHandlers = [collector], Rules = TickEngine.Engine.Ingest.FrameRules.NoSkewBound };
        var live = LiveOptions.Default with { VenueBase = dialect.WebSocketBase, Watchdog = TimeSpan.FromSeconds(1), BackoffInitial = TimeSpan.FromMilliseconds(50) };
        var recorder = new LiveRecorder(options, [(venue, live, symbols.Split(','))]);
        recorder.Start();
        var until = DateTime.UtcNow.AddSeconds(60);
        while (DateTime.UtcNow < until && !(dialect.Connections >= 2 && dialect.Played.IsCompleted)) await Task.Delay(50);
        // A loaded machine may answer the resubscription after the market has played out: wait for the books' resync.
        while (DateTime.UtcNow < until && recorder.Pipeline.Adapters[0].Counters.Resyncs == 0) await Task.Delay(50);
        await Task.Delay(500);
        await recorder.StopAsync();
        var c = recorder.Pipeline.Adapters[0].Counters;
        Assert.True(recorder.Reconnects >= 1, $"{recorder.Reconnects} reconnects");
        Assert.True(dialect.Connections >= 2);
        var events = collector.Events;
        int disconnect = events.FindIndex(e => e.Kind == Events.EventKind.Status && e.Side == (byte)Storage.Format.StatusKind.Disconnect);
        Assert.True(disconnect >= 0, "no disconnect marker");
        Assert.Contains(events.Skip(disconnect), e => e.Kind == Events.EventKind.Status && e.Side == (byte)Storage.Format.StatusKind.Resync); // books back from fresh snapshots
        Assert.Equal(0, c.Crossed);
        Assert.Equal(0, c.ChecksumMismatched);
    }
}
