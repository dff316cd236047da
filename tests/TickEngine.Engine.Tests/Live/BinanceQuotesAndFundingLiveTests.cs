using TickEngine.Engine.Events;
using TickEngine.Engine.Live;
using TickEngine.Engine.Pipeline;
using TickEngine.Simulator;
using TickEngine.Simulator.Dialects.Binance;
using TickEngine.Simulator.Market;
using TickEngine.Storage.Format;
using TickEngine.Tests.Shared;
using Xunit;

namespace TickEngine.Engine.Tests.Live;

/// <summary>
/// Quotes and funding recorded live from Binance's simulator: spot bookTickers asked for alone (no book), and USD-M
/// funding from <c>@markPrice@1s</c>, each funding row equal to the synthetic market's own (the same seed again).
/// </summary>
[Trait("Category", "Loopback")]
public class BinanceQuotesAndFundingLiveTests
{
    [Fact]
    public async Task FuturesFundingAndSpotQuotesRecordLiveExactly()
    {
        using var dir = new TempDir();
        const long startMs = 1_765_000_000_000;
        var futMarket = new SyntheticMarketSource(["BTCUSDT"], 2_000, seed: 3, startMs: startMs, futures: true, funding: true);
        var spotMarket = new SyntheticMarketSource(["ETHUSDT"], 2_000, seed: 4, startMs: startMs);
        var sim = new SimulatorOptions { Speed = 1 };
        await using var fut = await SimulatorServer.StartAsync(new SimulatedExchange(futMarket, sim), sim);
        await using var spot = await SimulatorServer.StartAsync(new SimulatedExchange(spotMarket, sim), sim);
        var collector = new TickEngine.Engine.Tests.Venues.VenueRecording.Collector();
        var options = new RecordOptions
        {
            Root = dir.Path,
            Types = new HashSet<SchemaKind> { SchemaKind.Quotes, SchemaKind.Funding },
            ExtraHandlers = [collector],
            Rules = TickEngine.Engine.Ingest.FrameRules.NoSkewBound, // the market's clock starts at a fixed time
        };
        var recorder = new LiveRecorder(options,
        [
            ("binance-futures", LiveOptions.Default with { VenueBase = fut.WebSocketBase, RestBase = fut.BaseAddress }, ["BTCUSDT"]),
            ("binance", LiveOptions.Default with { VenueBase = spot.WebSocketBase, RestBase = spot.BaseAddress }, ["ETHUSDT"]),
        ]);
        recorder.Start();
        var until = DateTime.UtcNow.AddSeconds(30);
        long Rows(SchemaKind k) => recorder.Pipeline.Outputs.Where(o => o.Kind == k).Sum(o => o.CommittedRows); // read from any thread
        while (DateTime.UtcNow < until && (Rows(SchemaKind.Funding) < 4 || Rows(SchemaKind.Quotes) < 200)) await Task.Delay(100);
        await recorder.StopAsync();

        var registry = recorder.Pipeline.Registry;
        var events = collector.Events;
        // Only what was asked for was subscribed: no trade, no level change.
        Assert.DoesNotContain(events, e => e.Kind is EventKind.Trade or EventKind.BookDelta);
        Assert.True(Directory.Exists(Path.Combine(dir.Path, "binance-futures", "BTCUSDT", "funding")));
        Assert.True(Directory.Exists(Path.Combine(dir.Path, "binance", "ETHUSDT", "quotes")));

        // Funding: the market's own states, in order, exact.
        var truth = new SyntheticMarket(["BTCUSDT"], 2_000, seed: 3, startMs, tradesOnly: false, funding: true).Events().OfType<SyntheticFunding>().GetEnumerator();
        var inst = registry.All.Single(i => i.Exchange == "binance-futures");
        int funding = 0;
        foreach (var e in events.Where(e => e.Kind == EventKind.Funding))
        {
            Assert.True(truth.MoveNext());
            var f = truth.Current;
            Assert.Equal(f.TimeNs / 1_000_000 * 1_000_000, e.ExchangeTime);
            Assert.Equal(f.MarkPrice * Pow10(inst.PriceScale - SyntheticMarket.PriceDecimals), e.MarkPrice);
            Assert.Equal(f.IndexPrice * Pow10(inst.PriceScale - SyntheticMarket.PriceDecimals), e.IndexPrice);
            Assert.Equal((decimal)f.Rate / 100_000_000m, (decimal)e.FundingRate / Pow10(e.FundingRateScale));
            Assert.Equal(f.NextFundingNs, e.NextFunding);
            funding++;
        }
        Assert.True(funding >= 4, $"{funding} funding rows");

        // Quotes: the simulator's bookTickers, filled from its own book: never crossed, sizes above zero.
        var quotes = events.Where(e => e.Kind == EventKind.BookTicker).ToList();
        Assert.True(quotes.Count >= 200, $"{quotes.Count} quotes");
        Assert.All(quotes, q => Assert.True(q.BidPrice > 0 && q.AskPrice > q.BidPrice && q.BidQuantity > 0 && q.AskQuantity > 0, $"bid {q.BidPrice} x {q.BidQuantity}, ask {q.AskPrice} x {q.AskQuantity}"));
    }

    private static long Pow10(int n)
    {
        long v = 1;
        for (int i = 0; i < n; i++) v *= 10;
        return v;
    }
}
