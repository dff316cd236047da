using TickEngine.Engine.Live;
using TickEngine.Engine.Pipeline;
using TickEngine.Simulator;
using TickEngine.Simulator.Dialects;
using TickEngine.Simulator.Market;
using TickEngine.Tests.Shared;
using Xunit;

namespace TickEngine.Engine.Tests.Live;

/// <summary>Four venues live in one process, one ring, one data root: Binance (its simulator), Bybit, OKX and Coinbase (their dialects).</summary>
public class MultiVenueLiveTests
{
    [Fact]
    public async Task BinanceBybitOkxAndCoinbaseRecordLiveTogether()
    {
        using var dir = new TempDir();
        await using var bybit = await BybitProtocol.StartAsync(RepoPaths.Fixture("bybit/cryptofeed_BYBIT_v5_linear_spot.jsonl.gz"), speed: 25);
        await using var okx = await OkxProtocol.StartAsync(RepoPaths.Fixture("okx/cryptofeed_OKX_v5.jsonl.gz"), speed: 60);
        await using var coinbase = await CoinbaseProtocol.StartAsync(RepoPaths.Fixture("coinbase/cryptofeed_COINBASE_advanced_trade.jsonl.gz"), speed: 20);
        var market = new SyntheticMarketSource(["BTCUSDT"], 2_000, seed: 5);
        var sim = new SimulatorOptions { Speed = 1 };
        await using var binance = await SimulatorServer.StartAsync(new SimulatedExchange(market, sim), sim);
        var options = new RecordOptions { Root = dir.Path, Rules = TickEngine.Engine.Ingest.FrameRules.NoSkewBound }; // the captures' own (past) times
        var recorder = new LiveRecorder(options,
        [
            ("binance", LiveOptions.BinanceSpot with { WebSocketBase = binance.WebSocketBase, RestBase = binance.BaseAddress }, ["BTCUSDT"]),
            ("bybit", LiveOptions.BinanceSpot with { VenueBase = bybit.WebSocketBase }, ["BTCUSDT", "ETHUSDT"]),
            ("okx", LiveOptions.BinanceSpot with { VenueBase = okx.WebSocketBase }, ["BTC-USDT", "UNI-USD-SWAP"]),
            ("coinbase", LiveOptions.BinanceSpot with { VenueBase = coinbase.WebSocketBase }, ["BTC-USD", "ETH-USD"]),
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
}
