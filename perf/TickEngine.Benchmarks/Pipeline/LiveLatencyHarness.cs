using System.Globalization;
using TickEngine.Engine.Events;
using TickEngine.Engine.Live;
using TickEngine.Engine.Metrics;
using TickEngine.Engine.Pipeline;
using TickEngine.Engine.Ring;
using TickEngine.Simulator;
using TickEngine.Simulator.Market;
using TickEngine.Storage.Format;

namespace TickEngine.Benchmarks.Pipeline;

/// <summary>
/// <c>dotnet run -c Release --project perf/TickEngine.Benchmarks -- live-latency [--rate 100000] [--seconds 20] [--flush-ms 1000] [--out DIR]</c>:
/// latency of trade frames from the simulator's send (its schedule, so a stall is counted, not hidden) through
/// WebSocket → frame pipe → parse → ring to (a) the trade writer having the row, and (b) the row committed in its
/// segment (rows are committed at least every flush interval of receive time). Both as HDR histograms (ns,
/// 3 digits), printed as percentiles and written as .hgrm files.
/// </summary>
public static class LiveLatencyHarness
{
    private const long FirstTradeId = 5_000_001;

    private sealed class Handled(long[] intended, HdrHistogram histogram) : IValueEventHandler<MarketEvent>
    {
        public void OnEvent(ref MarketEvent e, long sequence, bool endOfBatch)
        {
            if (e.Kind != EventKind.Trade) return;
            long i = e.Id - FirstTradeId;
            if ((ulong)i < (ulong)intended.Length && intended[i] != 0) histogram.RecordValue(Math.Max(0, Clock.NowNs() - intended[i]));
        }
    }

    public static int Run(string[] args)
    {
        int rate = (int)HarnessArgs.Long(args, "--rate", 100_000);
        int seconds = (int)HarnessArgs.Long(args, "--seconds", 20);
        int flushMs = (int)HarnessArgs.Long(args, "--flush-ms", 1000);
        string outDir = HarnessArgs.Value(args, "--out") ?? Path.Combine("perf", "results", "latency");
        RunAsync(rate, seconds, flushMs, outDir).GetAwaiter().GetResult();
        return 0;
    }

    private static async Task RunAsync(int rate, int seconds, int flushMs, string outDir)
    {
        string root = Path.Combine(Path.GetTempPath(), "tickengine-lat-" + Guid.NewGuid().ToString("N"));
        var intended = new long[(long)rate * (seconds + 5)];
        var handled = new HdrHistogram(1, 120_000_000_000, 3);
        var committed = new HdrHistogram(1, 120_000_000_000, 3);
        var market = new SyntheticMarketSource(["BTCUSDT"], rate, tradesOnly: true);
        var simOptions = new SimulatorOptions { Speed = 1 };
        var exchange = new SimulatedExchange(market, simOptions)
        {
            Sent = (f, at) =>
            {
                long i = f.TradeId - FirstTradeId;
                if (f.TradeId != 0 && (ulong)i < (ulong)intended.Length) Volatile.Write(ref intended[i], at);
            },
        };
        var server = await SimulatorServer.StartAsync(exchange, simOptions);
        var live = LiveOptions.BinanceSpot with { WebSocketBase = server.WebSocketBase, RestBase = server.BaseAddress };
        var options = new RecordOptions
        {
            Root = root,
            Types = new HashSet<SchemaKind> { SchemaKind.Trades },
            FlushInterval = TimeSpan.FromMilliseconds(flushMs),
            ExtraHandlers = [new Handled(intended, handled)],
        };
        var recorder = new LiveRecorder(options, live, market.Symbols);
        recorder.Start();
        // Committed rows are the trades in id order (one symbol, nothing lost on loopback): row k is trade FirstTradeId + k.
        using var stop = new CancellationTokenSource();
        var poller = Task.Run(() =>
        {
            long done = 0;
            while (!stop.IsCancellationRequested)
            {
                long now = Clock.NowNs();
                long c = recorder.Pipeline.Trades!.Sink.CommittedRows;
                for (; done < c && done < intended.Length; done++)
                    if (intended[done] != 0) committed.RecordValue(Math.Max(0, now - intended[done]));
                Thread.Sleep(0);
            }
        });
        await Task.Delay(TimeSpan.FromSeconds(seconds));
        stop.Cancel();
        await poller;
        await server.DisposeAsync();
        await recorder.StopAsync();
        Directory.CreateDirectory(outDir);
        var inv = CultureInfo.InvariantCulture;
        Console.WriteLine($"{rate:N0} trade frames/s for {seconds} s, commit at least every {flushMs} ms of receive time");
        foreach (var (name, h) in new[] { ("send-to-handled", handled), ("send-to-committed", committed) })
        {
            string P(double q) => (h.ValueAtPercentile(q) / 1000.0).ToString("N1", inv);
            Console.WriteLine($"  {name,-18} count {h.TotalCount:N0}: p50 {P(50)} µs, p90 {P(90)} µs, p99 {P(99)} µs, p99.9 {P(99.9)} µs, p99.99 {P(99.99)} µs, max {(h.Max / 1000.0).ToString("N1", inv)} µs");
            using var w = new StreamWriter(Path.Combine(outDir, $"{name}-{rate}.hgrm"));
            h.OutputPercentileDistribution(w, 5, 1000.0); // values in microseconds
        }
        Console.WriteLine($"  .hgrm files (µs) in {outDir}");
        if (Directory.Exists(root)) Directory.Delete(root, true);
    }
}
