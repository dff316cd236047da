using TickEngine.Simulator.Dialects.Binance;
using System.Diagnostics;
using TickEngine.Engine.Live;
using TickEngine.Engine.Metrics;
using TickEngine.Engine.Pipeline;
using TickEngine.Simulator;
using TickEngine.Simulator.Market;
using TickEngine.Storage.Format;

namespace TickEngine.Bench;

/// <summary>
/// End-to-end latency over loopback: the built-in simulator (Kestrel, Binance protocol) offers one symbol's
/// trades at a fixed rate; the recorder reads them over a WebSocket, parses them into the ring, and the trade
/// writer appends and commits them to a memory-mapped segment, exactly as <c>tickengine record</c> does. Each
/// trade is timed from the send time the simulator's schedule gave it, so a stalled sender or a backed-up
/// queue counts in full (coordinated omission corrected by measuring from the intended time, as wrk2 does),
/// through every stage (<see cref="StageProbe"/>). After the window the market stops, every queue drains, and
/// what was sent is compared with what was committed.
/// </summary>
public static class LatencyBench
{
    public static async Task<LatencyReport> RunAsync(LatencyBenchOptions o, TextWriter? log = null, CancellationToken cancel = default)
    {
        string root = o.DataRoot ?? Path.Combine(Path.GetTempPath(), "tickengine-bench-" + Guid.NewGuid().ToString("N"));
        const int ringSize = 1 << 16;
        // Trades between send and commit at once: the session queue, the frame pipe, the ring and up to a commit
        // interval of rows; 8 s of the rate covers them with a wide margin.
        var probe = new StageProbe((int)Math.Min(1 << 24, Math.Max(1L << 20, o.Rate * 8L)), ringSize);
        var market = new SyntheticMarketSource([o.Symbol], o.Rate, tradesOnly: true);
        var simOptions = new SimulatorOptions { Speed = 1, WaitForSubscriber = true };
        var exchange = new SimulatedExchange(market, simOptions)
        {
            Sent = (f, at) => { if (f.TradeId != 0) probe.Sent(f.TradeId, at); },
        };
        var server = await SimulatorServer.StartAsync(exchange, simOptions);
        var live = LiveOptions.Default with { VenueBase = server.WebSocketBase, RestBase = server.BaseAddress };
        var recordOptions = new RecordOptions
        {
            Root = root,
            Types = new HashSet<SchemaKind> { SchemaKind.Trades },
            CommitInterval = o.FlushInterval,
            RingSize = ringSize,
            Probe = probe,
        };
        var recorder = new LiveRecorder(recordOptions, live, [o.Symbol]);
        bool stopped = false;
        try
        {
            recorder.Start();
            // The first trade through marks the start of the schedule; the window opens after the warm-up.
            var connect = Stopwatch.StartNew();
            while (probe.RowsAppended == 0)
            {
                if (connect.Elapsed > TimeSpan.FromSeconds(30)) throw new InvalidOperationException("bench latency: no trade reached the recorder within 30 s");
                await Task.Delay(10, cancel);
            }
            long start = Clock.NowNs();
            long from = start + (long)(o.Warmup.TotalSeconds * 1e9), to = from + (long)(o.Duration.TotalSeconds * 1e9);
            probe.MeasureWindow(from, to);
            log?.WriteLine($"bench latency: {o.Rate:N0} trade frames/s of {o.Symbol} for {o.Duration.TotalSeconds:0.#} s after a {o.Warmup.TotalSeconds:0.#} s warm-up, commit every {o.FlushInterval.TotalMilliseconds:0} ms");
            await Task.Delay(TimeSpan.FromTicks((from - Clock.NowNs()) / 100), cancel);
            var proc = Process.GetCurrentProcess();
            // The process-wide figure is read imprecisely on purpose: a precise read retires every thread's allocation
            // context, which the per-thread counts of the hot path would then show as allocations.
            long producer0 = recorder.Pipe.FrameAllocatedBytes, handlers0 = recorder.Pipeline.HandlerAllocatedBytes;
            long uncounted0 = recorder.Pipe.BatchesUncounted;
            var perHandler0 = recorder.Pipeline.Disruptor.Processors.Select(p => p.AllocatedBytes).ToArray();
            long process0 = GC.GetTotalAllocatedBytes(precise: false), frames0 = recorder.Pipeline.Adapter.Counters.Frames;
            long sent0 = exchange.FramesSent;
            var cpu0 = proc.TotalProcessorTime;
            await Task.Delay(TimeSpan.FromTicks(Math.Max(0, to - Clock.NowNs()) / 100), cancel);
            long producer1 = recorder.Pipe.FrameAllocatedBytes, handlers1 = recorder.Pipeline.HandlerAllocatedBytes;
            long uncounted1 = recorder.Pipe.BatchesUncounted;
            var perHandler = recorder.Pipeline.Disruptor.Processors.Select((p, i) => (p.Name, Bytes: p.AllocatedBytes - perHandler0[i]))
                .GroupBy(x => x.Name).ToDictionary(g => g.Key, g => g.Sum(x => x.Bytes));
            long process1 = GC.GetTotalAllocatedBytes(precise: false), frames1 = recorder.Pipeline.Adapter.Counters.Frames;
            long sent1 = exchange.FramesSent;
            proc.Refresh();
            double cpu = (proc.TotalProcessorTime - cpu0).TotalSeconds / o.Duration.TotalSeconds;
            long rss = proc.WorkingSet64;
            // Stop the market; let every queue reach the recorder and every row commit.
            exchange.StopMarket();
            var drain = Stopwatch.StartNew();
            while (drain.Elapsed < TimeSpan.FromSeconds(30) &&
                   (exchange.FramesQueued > 0 || recorder.Pipeline.Adapter.Counters.Frames < exchange.FramesDelivered || recorder.Pipe.Pending > 0 || recorder.Pipeline.Disruptor.Backlog > 0))
                await Task.Delay(20, cancel);
            // The last rows commit on the recorder's own schedule (the commit interval, when idle): wait for it, so
            // that the window's last trades are measured like the others rather than at shutdown.
            var commitWait = Stopwatch.StartNew();
            while (commitWait.Elapsed < o.FlushInterval * 3 + TimeSpan.FromSeconds(2) && probe.RowsCommitted < probe.RowsAppended)
                await Task.Delay(20, cancel);
            long sent = exchange.FramesSent, delivered = exchange.FramesDelivered;
            stopped = true;
            await recorder.StopAsync(); // commits the rest and seals the segment
            long parsed = recorder.Pipeline.Adapter.Counters.Frames;
            long committed = recorder.Pipeline.Trades!.Output.CommittedRows;
            return new LatencyReport(
                o, probe.Stages,
                TradesSent: sent,
                TradesCommitted: committed,
                FramesParsed: parsed,
                Dropped: Math.Max(0, sent - committed) + Math.Max(0, delivered - parsed),
                IdBreaks: probe.IdBreaks,
                Measured: probe.Measured,
                AchievedRate: (frames1 - frames0) / o.Duration.TotalSeconds,
                SentRate: (sent1 - sent0) / o.Duration.TotalSeconds,
                LagAtEnd: Math.Max(0, sent1 - frames1),
                CpuPerSecond: cpu,
                RssBytes: rss,
                ProducerAllocatedBytes: producer1 - producer0,
                ProducerBatchesUncounted: uncounted1 - uncounted0,
                HandlerAllocatedBytes: handlers1 - handlers0,
                HandlerAllocations: perHandler,
                ProcessAllocatedBytes: process1 - process0,
                MeasuredFrames: frames1 - frames0,
                ProducerWaits: recorder.Pipeline.Disruptor.Sequencer.Waits,
                Reconnects: recorder.Reconnects,
                Faults: recorder.Pipeline.Faults.Select(f => $"{f.Handler}: {f.Fault.Message}").ToList());
        }
        finally
        {
            if (!stopped) await recorder.StopAsync();
            await server.DisposeAsync();
            if (o.DataRoot is null && Directory.Exists(root)) Directory.Delete(root, true);
        }
    }
}
