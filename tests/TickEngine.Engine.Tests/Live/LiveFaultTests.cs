using TickEngine.Simulator.Dialects.Binance;
using TickEngine.Engine.Live;
using TickEngine.Simulator;
using TickEngine.Simulator.Faults;
using TickEngine.Simulator.Market;
using TickEngine.Storage.Format;
using TickEngine.Tests.Shared;
using Xunit;
using Xunit.Abstractions;

namespace TickEngine.Engine.Tests.Live;

/// <summary>
/// Every fault the simulator injects, against a live recording of the looping real capture: the run survives, each
/// gap is stored as a gap, the book resyncs, and nothing is stored twice.
/// </summary>
[Trait("Category", "Loopback")]
public class LiveFaultTests(ITestOutputHelper output)
{
    private static async Task Until(Func<bool> condition, string what, Func<string>? state = null)
    {
        var until = DateTime.UtcNow.AddSeconds(20);
        while (!condition() && DateTime.UtcNow < until) await Task.Delay(20);
        Assert.True(condition(), $"timed out waiting for {what}{(state is null ? "" : ": " + state())}");
    }

    [Fact]
    public async Task TheRecorderSurvivesEveryInjectedFault()
    {
        using var dir = new TempDir();
        var market = new CaptureMarketSource(RepoPaths.BinanceSpotCapture, loop: true);
        var run = await SimulatorRecording.StartAsync(market, dir.File("root"),
            new SimulatorOptions { Speed = 20 },
            LiveOptions.Default with { Watchdog = TimeSpan.FromMilliseconds(1500) });
        var ex = run.Server.Exchange;
        var c = run.Recorder.Pipeline.Adapter.Counters;
        bool Synced() => run.Recorder.Pipeline.Adapter.BookOf(0) is { IsSynced: true };

        string State() => $"rest errors {run.Recorder.Feed.RestErrors}, snapshots {c.RestSnapshots}, stale {c.SnapshotsStale}, buffered {c.DiffsBuffered}, applied {c.DiffsApplied}, stale diffs {c.DiffsStale}, " +
                           $"gaps {c.Gaps}, synced {Synced()}, reconnects {run.Recorder.Feed.Reconnects}, frames {c.Frames}, states {string.Join(",", run.Recorder.Feed.Connections.Select(x => x.State))}";
        await Until(() => c.DiffsApplied > 20, "the first sync", State);
        long stale = c.DiffsStale;
        ex.Inject(FaultKind.Duplicate);
        await Until(() => c.DiffsStale > stale, "the duplicate to be dropped");

        ex.Inject(FaultKind.SkipUpdateId);
        await Until(() => c.Gaps >= 1, "the skipped id's gap");
        await Until(Synced, "the resync after the skipped id", State);

        ex.Inject(FaultKind.Reorder);
        await Until(() => c.Gaps >= 2, "the reorder's gap");
        await Until(Synced, "the resync after the reorder", State);

        ex.Inject(FaultKind.Malformed);
        await Until(() => c.Malformed >= 1, "the malformed frame to be counted");

        ex.Inject(FaultKind.Rest429, 2);
        ex.Inject(FaultKind.Rest500, 1);
        ex.Inject(FaultKind.Drop);
        await Until(() => run.Recorder.Feed.Reconnects >= 1, "the reconnect after the drop");
        await Until(() => run.Recorder.Feed.RestErrors >= 3 && Synced(), "the resync through 429s and a 500", State);

        ex.Inject(FaultKind.ServerShutdown);
        await Until(() => c.ServerShutdowns >= 1 && run.Recorder.Feed.Reconnects >= 2, "the reconnect after serverShutdown");
        await Until(Synced, "the resync after serverShutdown", State);

        ex.Inject(FaultKind.Stall, 4000);
        await Until(() => run.Recorder.Feed.Reconnects >= 3, "the watchdog's reconnect");
        await Until(() => Synced() && c.DiffsApplied > 0, "the resync after the stall");
        long applied = c.DiffsApplied;
        await Until(() => c.DiffsApplied > applied + 20, "the stream to flow again");
        await run.StopAsync();

        var s = run.Recorder.Pipeline.Statistics();
        output.WriteLine(s.ToJsonText());
        Assert.Empty(run.Recorder.Pipeline.Faults);
        Assert.Equal(0L, s.Ingest.Crossed);
        Assert.Equal(0L, s.Ingest.BookTickerMismatched);

        // Stored as gaps: a gap marker for each lost id, a disconnect for each lost connection, a resync after each.
        var status = SimulatorRecording.Rows(dir.File("root"), SchemaKind.Status, keepReceiveTime: true)
            .OrderBy(r => r[StatusColumns.ReceiveTime]).Select(r => (StatusKind)r[StatusColumns.Kind]).ToList();
        output.WriteLine(string.Join(",", status));
        Assert.True(status.Count(k => k == StatusKind.SequenceGap) >= 2);
        Assert.True(status.Count(k => k == StatusKind.Disconnect) >= 3);
        Assert.True(status.Count(k => k == StatusKind.Resync) >= 6);
        Assert.Equal(StatusKind.Disconnect, status[^1]); // the clean stop
        Assert.Equal(StatusKind.Resync, status.Last(k => k != StatusKind.Disconnect && k != StatusKind.Connect));

        // Nothing stored twice: trade ids strictly increase; each diff message's levels appear once.
        var trades = SimulatorRecording.Rows(dir.File("root"), SchemaKind.Trades);
        for (int i = 1; i < trades.Count; i++)
            Assert.True(trades[i][TradeColumns.TradeId] > trades[i - 1][TradeColumns.TradeId], $"trade {trades[i][TradeColumns.TradeId]} stored twice or out of order");
        var seen = new HashSet<(long, long)>();
        (long, long) current = (-1, -1);
        foreach (var d in SimulatorRecording.Rows(dir.File("root"), SchemaKind.Deltas))
        {
            if ((d[DeltaColumns.Flags] & (long)RowFlags.FromSnapshot) != 0) { current = (-1, -1); continue; }
            var ids = (d[DeltaColumns.FirstUpdateId], d[DeltaColumns.LastUpdateId]);
            if (ids == current) continue;
            Assert.True(seen.Add(ids), $"diff {ids} stored twice");
            current = ids;
        }
    }

    [Fact]
    public async Task BinaryAndOversizeFramesAreCountedSampledAndTheRunGoesOn()
    {
        using var dir = new TempDir();
        const int maxFrame = 256 << 10;
        var market = new SyntheticMarketSource(["BTCUSDT"], 2_000);
        var run = await SimulatorRecording.StartAsync(market, dir.File("root"), new SimulatorOptions { Speed = 1 }, maxFrameBytes: maxFrame);
        var ex = run.Server.Exchange;
        var c = run.Recorder.Pipeline.Adapter.Counters;
        await Until(() => c.TradeEvents > 100 && c.DiffsApplied > 20, "the stream and the first sync");
        for (int i = 0; i < 3; i++)
        {
            ex.Inject(FaultKind.Binary);
            ex.Inject(FaultKind.Oversize, 4 * maxFrame); // 1 MiB, four times the limit
            ex.Inject(FaultKind.Malformed);
        }
        await Until(() => c.Malformed >= 9, "nine bad frames counted");
        long trades = c.TradeEvents, diffs = c.DiffsApplied;
        await Until(() => c.TradeEvents > trades + 200 && c.DiffsApplied > diffs + 50, "the stream to go on");
        await run.StopAsync();

        var s = run.Recorder.Pipeline.Statistics();
        var byReason = s.Ingest.MalformedByReason.ToDictionary(kv => kv.Key, kv => kv.Value);
        foreach (var (k, v) in byReason) output.WriteLine($"{k}: {v}");
        foreach (var sample in s.Ingest.MalformedSamples) output.WriteLine(sample.Length > 120 ? sample[..120] : sample);
        Assert.Equal(3, byReason["binary WebSocket frame where text is expected"]);
        Assert.Equal(3, byReason["frame over the maximum frame size (dropped unread)"]);
        Assert.Equal(3, byReason["not valid JSON"]);
        Assert.Equal(3, run.Recorder.Feed.BinaryFrames);
        Assert.Equal(3, run.Recorder.Feed.OversizeFrames);
        var samples = s.Ingest.MalformedSamples;
        Assert.Contains(samples, x => x.StartsWith("binary WebSocket frame where text is expected: hex 8200FFFE", StringComparison.Ordinal));
        Assert.Contains(samples, x => x.StartsWith("frame over the maximum frame size (dropped unread): {\"stream\":\"btcusdt@trade\"", StringComparison.Ordinal));
        // Memory stayed bounded: no receive buffer past the limit (rented in powers of two).
        Assert.InRange(run.Recorder.Feed.LargestReceiveBuffer, 0, maxFrame);
        // The run never stopped: no reconnect, no gap, every trade stored once.
        Assert.Equal(0, run.Recorder.Reconnects);
        Assert.Equal(0L, s.Ingest.Gaps);
        Assert.Empty(run.Recorder.Pipeline.Faults);
        var stored = SimulatorRecording.Rows(dir.File("root"), SchemaKind.Trades);
        for (int i = 1; i < stored.Count; i++)
            Assert.Equal(stored[i - 1][TradeColumns.TradeId] + 1, stored[i][TradeColumns.TradeId]);
    }
}
