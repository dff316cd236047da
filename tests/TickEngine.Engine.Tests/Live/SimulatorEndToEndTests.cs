using TickEngine.Simulator.Dialects.Binance;
using TickEngine.Engine.Tests.Pipeline;
using TickEngine.Simulator.Market;
using TickEngine.Storage.Format;
using TickEngine.Tests.Shared;
using Xunit;
using Xunit.Abstractions;

namespace TickEngine.Engine.Tests.Live;

[Trait("Category", "Loopback")]
public class SimulatorEndToEndTests(ITestOutputHelper output)
{
    [Fact]
    public async Task RecordingTheSimulatorOverWebSocketsEqualsRecordingTheCaptureFile()
    {
        using var dir = new TempDir();
        var market = new CaptureMarketSource(RepoPaths.BinanceSpotCapture, loop: false);
        var run = await SimulatorRecording.StartAsync(market, dir.File("live"));
        // Every frame of the capture (41,248) and the REST snapshot.
        await run.WaitForFramesAsync(Fixtures.BinanceSpot.Lines, TimeSpan.FromSeconds(90));
        await run.StopAsync();
        var live = run.Recorder.Pipeline.Statistics();
        output.WriteLine(live.ToJsonText());
        Assert.Equal(Fixtures.BinanceSpot.Lines, live.Ingest.Frames);
        Assert.Equal(0L, live.Ingest.Gaps);
        Assert.Equal(0L, live.Ingest.Crossed);
        Assert.Equal(0L, live.Ingest.Malformed);

        RecordRun.Run(RepoPaths.BinanceSpotCapture, dir.File("file"));
        foreach (var kind in new[] { SchemaKind.Trades, SchemaKind.Deltas, SchemaKind.L2, SchemaKind.Bars })
        {
            var a = SimulatorRecording.Rows(dir.File("live"), kind);
            var b = SimulatorRecording.Rows(dir.File("file"), kind);
            Assert.True(a.Count == b.Count, $"{kind}: {a.Count} rows live, {b.Count} from the file");
            for (int i = 0; i < a.Count; i++)
                Assert.True(a[i].AsSpan().SequenceEqual(b[i]), $"{kind} row {i} differs: [{string.Join(",", a[i])}] vs [{string.Join(",", b[i])}]");
        }
        // Live adds the session markers; the book markers are the same. (Session markers carry today's receive time
        // as their exchange time, the replayed market is from 2024: they land in different day segments.)
        var status = SimulatorRecording.Rows(dir.File("live"), SchemaKind.Status).Select(r => (StatusKind)r[StatusColumns.Kind]).OrderBy(k => k).ToList();
        Assert.Equal([StatusKind.Connect, StatusKind.Disconnect, StatusKind.Resync], status);
    }
}
