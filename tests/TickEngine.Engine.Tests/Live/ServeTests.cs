using TickEngine.Simulator.Dialects.Binance;
using TickEngine.Engine.Tests.Pipeline;
using TickEngine.Simulator;
using TickEngine.Simulator.Market;
using TickEngine.Storage.Format;
using TickEngine.Tests.Shared;
using Xunit;
using Xunit.Abstractions;

namespace TickEngine.Engine.Tests.Live;

[Trait("Category", "Loopback")]
public class ServeTests(ITestOutputHelper output)
{
    [Fact]
    public async Task RecordingFromTheReplayServerReproducesTheOriginalRows()
    {
        using var dir = new TempDir();
        RecordRun.Run(RepoPaths.BinanceSpotCapture, dir.File("original"));
        var market = new RecordingMarketSource(dir.File("original"));
        Assert.Equal(["BTCUSDT"], market.Symbols);
        var run = await SimulatorRecording.StartAsync(market, dir.File("again"), new SimulatorOptions { Speed = 0 });
        var ex = run.Server.Exchange;
        var until = DateTime.UtcNow.AddSeconds(60);
        while (DateTime.UtcNow < until && !(ex.Finished && ex.FramesQueued == 0 && run.Recorder.Pipeline.Adapter.Counters.Frames >= ex.FramesDelivered + 1))
            await Task.Delay(20);
        await run.StopAsync();
        var s = run.Recorder.Pipeline.Statistics();
        output.WriteLine($"frames {s.Ingest.Frames}, diffs {s.Ingest.DiffsApplied}, gaps {s.Ingest.Gaps}, tickers matched {s.Ingest.BookTickerMatched}, mismatched {s.Ingest.BookTickerMismatched}");
        Assert.Equal(0L, s.Ingest.Gaps);
        Assert.Equal(0L, s.Ingest.BookTickerMismatched);
        Assert.Equal(3_449L, s.Ingest.DiffsApplied);
        foreach (var kind in new[] { SchemaKind.Trades, SchemaKind.Deltas, SchemaKind.L2, SchemaKind.Bars })
        {
            var a = SimulatorRecording.Rows(dir.File("original"), kind);
            var b = SimulatorRecording.Rows(dir.File("again"), kind);
            Assert.True(a.Count == b.Count, $"{kind}: {a.Count} rows recorded, {b.Count} from serve");
            for (int i = 0; i < a.Count; i++)
                Assert.True(a[i].AsSpan().SequenceEqual(b[i]), $"{kind} row {i}: [{string.Join(",", a[i])}] vs [{string.Join(",", b[i])}]");
        }
    }
}
