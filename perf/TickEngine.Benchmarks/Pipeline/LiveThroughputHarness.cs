using System.Diagnostics;
using System.Globalization;
using TickEngine.Engine.Live;
using TickEngine.Engine.Pipeline;
using TickEngine.Simulator;
using TickEngine.Simulator.Market;
using TickEngine.Storage.Format;

namespace TickEngine.Benchmarks.Pipeline;

/// <summary>
/// <c>dotnet run -c Release --project perf/TickEngine.Benchmarks -- live-throughput [--rates 50000,100000,...] [--seconds S]</c>:
/// the simulator (synthetic trades, 4 symbols) and the recorder in one process on loopback, over WebSockets. For
/// each offered rate, S seconds: messages the simulator sent, messages the recorder parsed, trades committed, and
/// whether the rate was held (received ≥ 99 % of offered; nothing is ever dropped: queues are bounded and the market
/// waits, so a rate that is not held shows as a shortfall). Also process CPU time and RSS.
/// </summary>
public static class LiveThroughputHarness
{
    public static int Run(string[] args)
    {
        int seconds = (int)HarnessArgs.Long(args, "--seconds", 10);
        int[] rates = HarnessArgs.Ints(args, "--rates", [50_000, 100_000, 200_000, 400_000, 700_000, 1_000_000]);
        Console.WriteLine($"{"offered/s",10} {"sent/s",10} {"parsed/s",10} {"trades stored",14} {"dropped",8} {"held",5} {"cpu/s",6} {"rss MB",7}");
        foreach (int rate in rates) RunOne(rate, seconds).GetAwaiter().GetResult();
        return 0;
    }

    private static async Task RunOne(int rate, int seconds)
    {
        string root = Path.Combine(Path.GetTempPath(), "tickengine-live-" + Guid.NewGuid().ToString("N"));
        try
        {
            var market = new SyntheticMarketSource(["BTCUSDT", "ETHUSDT", "SOLUSDT", "BNBUSDT"], rate, tradesOnly: true);
            var simOptions = new SimulatorOptions { Speed = 1 };
            var server = await SimulatorServer.StartAsync(new SimulatedExchange(market, simOptions), simOptions);
            var live = LiveOptions.BinanceSpot with { WebSocketBase = server.WebSocketBase, RestBase = server.BaseAddress };
            var recorder = new LiveRecorder(new RecordOptions { Root = root, Types = new HashSet<SchemaKind> { SchemaKind.Trades } }, live, market.Symbols);
            var proc = Process.GetCurrentProcess();
            recorder.Start();
            await Task.Delay(1000); // connect
            long sent0 = server.Exchange.FramesDelivered, parsed0 = recorder.Pipeline.Adapter.Counters.Frames;
            var cpu0 = proc.TotalProcessorTime;
            var sw = Stopwatch.StartNew();
            await Task.Delay(TimeSpan.FromSeconds(seconds));
            double t = sw.Elapsed.TotalSeconds;
            long sent = server.Exchange.FramesDelivered - sent0, parsed = recorder.Pipeline.Adapter.Counters.Frames - parsed0;
            proc.Refresh();
            double cpu = (proc.TotalProcessorTime - cpu0).TotalSeconds / t;
            long rss = proc.WorkingSet64;
            // Stop the market, let the sessions' queues reach the recorder, then count what never arrived.
            server.Exchange.StopMarket();
            var drain = Stopwatch.StartNew();
            while (drain.Elapsed < TimeSpan.FromSeconds(20) &&
                   (server.Exchange.FramesQueued > 0 || recorder.Pipeline.Adapter.Counters.Frames < server.Exchange.FramesDelivered))
                await Task.Delay(20);
            long sentTotal = server.Exchange.FramesDelivered;
            long parsedTotal = recorder.Pipeline.Adapter.Counters.Frames;
            await recorder.StopAsync();
            await server.DisposeAsync();
            var s = recorder.Pipeline.Summary();
            long dropped = Math.Max(0, sentTotal - parsedTotal);
            bool held = sent / t >= 0.99 * rate && dropped == 0;
            Console.WriteLine(string.Format(CultureInfo.InvariantCulture, "{0,10:N0} {1,10:N0} {2,10:N0} {3,14:N0} {4,8:N0} {5,5} {6,6:F2} {7,7:N0}",
                rate, sent / t, parsed / t, s["rows_trades"], dropped, held ? "yes" : "no", cpu, rss / 1e6));
        }
        finally
        {
            if (Directory.Exists(root)) Directory.Delete(root, true);
        }
    }
}
