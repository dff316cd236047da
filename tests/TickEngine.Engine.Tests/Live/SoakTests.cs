using TickEngine.Simulator.Dialects.Binance;
using TickEngine.Simulator;
using TickEngine.Simulator.Faults;
using TickEngine.Simulator.Market;
using TickEngine.Storage.Format;
using TickEngine.Tests.Shared;
using Xunit;
using Xunit.Abstractions;

namespace TickEngine.Engine.Tests.Live;

/// <summary>
/// The simulator drops every connection every two seconds while a synthetic market trades 2 symbols: every trade
/// id is stored exactly once, and every trade that is missing falls inside a stored disconnect.
/// </summary>
[Trait("Category", "Loopback")]
public class SoakTests(ITestOutputHelper output)
{
    [Fact]
    public Task DropsEveryTwoSecondsForTwelveSeconds() => Run(TimeSpan.FromSeconds(12));

    [Fact]
    [Trait("Category", "Stress")]
    public Task DropsEveryTwoSecondsForAMinute() => Run(TimeSpan.FromSeconds(60));

    private async Task Run(TimeSpan duration)
    {
        using var dir = new TempDir();
        var market = new SyntheticMarketSource(["BTCUSDT", "ETHUSDT"], 4_000, seed: 7);
        var run = await SimulatorRecording.StartAsync(market, dir.File("root"), new SimulatorOptions { Speed = 1 });
        var end = DateTime.UtcNow + duration;
        int drops = 0;
        while (DateTime.UtcNow < end)
        {
            await Task.Delay(2000);
            run.Server.Exchange.Inject(FaultKind.Drop);
            drops++;
        }
        await Task.Delay(1000);
        await run.StopAsync();
        var s = run.Recorder.Pipeline.Statistics();
        output.WriteLine($"drops {drops}, reconnects {run.Recorder.Feed.Reconnects}, trades stored {s.Rows(TickEngine.Storage.Format.SchemaKind.Trades)}, gaps {s.Ingest.Gaps}, resyncs {s.Ingest.Resyncs}, crossed {s.Ingest.Crossed}");
        Assert.True(run.Recorder.Feed.Reconnects >= drops - 1, $"{run.Recorder.Feed.Reconnects} reconnects for {drops} drops");
        Assert.Equal(0L, s.Ingest.Crossed);
        Assert.Empty(run.Recorder.Pipeline.Faults);

        var disconnects = SimulatorRecording.Rows(dir.File("root"), SchemaKind.Status, keepReceiveTime: true)
            .Where(r => r[StatusColumns.Kind] == (long)StatusKind.Disconnect).Select(r => r[StatusColumns.ReceiveTime]).OrderBy(t => t).ToArray();
        long missing = 0, explained = 0;
        foreach (var symbol in market.Symbols)
        {
            var list = SimulatorRecording.Rows(dir.File("root"), SchemaKind.Trades, keepReceiveTime: true, symbol: symbol)
                .OrderBy(r => r[TradeColumns.ReceiveTime]).ToList();
            Assert.True(list.Count > 500, $"{symbol}: only {list.Count} trades stored");
            for (int i = 1; i < list.Count; i++)
            {
                long a = list[i - 1][TradeColumns.TradeId], b = list[i][TradeColumns.TradeId];
                Assert.True(b > a, $"trade {b} stored after {a}: twice or out of order");
                if (b == a + 1) continue;
                missing += b - a - 1;
                long from = list[i - 1][TradeColumns.ReceiveTime], to = list[i][TradeColumns.ReceiveTime];
                Assert.True(disconnects.Any(t => t >= from && t <= to), $"trades {a + 1}..{b - 1} are missing with no stored disconnect between them");
                explained += b - a - 1;
            }
        }
        output.WriteLine($"trades missing {missing}, all inside stored disconnects: {explained == missing}");
        Assert.True(s.Rows(TickEngine.Storage.Format.SchemaKind.Trades) > 1000);
    }
}
