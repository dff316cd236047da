using System.Diagnostics;
using System.Globalization;
using TickEngine.Benchmarks.Inputs;
using TickEngine.Engine.Capture;
using TickEngine.Engine.Events;
using TickEngine.Engine.Ingest;
using TickEngine.Engine.Ingest.Binance;
using TickEngine.Engine.Pipeline;
using TickEngine.Engine.Ring;

namespace TickEngine.Benchmarks.Pipeline;

/// <summary>
/// <c>dotnet run -c Release --project perf/TickEngine.Benchmarks -- record-capture [--repeat N]</c>: the real spot
/// capture through <c>record --from-capture</c>'s pipeline end to end (gunzip + split + parse + book + ring +
/// five handlers + segments), N times after a warm-up, with frames/s, and the share of time per stage measured by
/// running the stages alone: read+split, parse+book (no handlers), and the whole pipeline.
/// </summary>
public static class RecordHarness
{
    public static int Run(string[] args)
    {
        int repeat = (int)HarnessArgs.Long(args, "--repeat", 5);
        string capture = FixtureTrades.BinanceSpotCapture;
        var inv = CultureInfo.InvariantCulture;
        Measure("warm-up", 1, () => Whole(capture));
        double read = Measure("read + gunzip + split lines", repeat, () => ReadOnly(capture));
        double parse = Measure("  + parse + book sync + publish (no handlers)", repeat, () => ParseOnly(capture));
        double whole = Measure("  + 5 handlers writing segments (record --from-capture)", repeat, () => Whole(capture));
        Console.WriteLine(string.Format(inv, "share of time: read/split {0:P0}, parse+book+publish {1:P0}, handlers and their backpressure {2:P0}",
            read / whole, (parse - read) / whole, (whole - parse) / whole));
        return 0;
    }

    private static double Measure(string name, int repeat, Func<long> run)
    {
        var times = new List<double>();
        long frames = 0;
        for (int r = 0; r < repeat; r++)
        {
            var sw = Stopwatch.StartNew();
            frames = run();
            times.Add(sw.Elapsed.TotalSeconds);
        }
        times.Sort();
        double median = times[times.Count / 2];
        Console.WriteLine(string.Format(CultureInfo.InvariantCulture, "{0,-58} {1,8:F1} ms  {2,12:N0} frames/s  (median of {3})", name, median * 1000, frames / median, repeat));
        return median;
    }

    private sealed class NullAdapter : IExchangeAdapter
    {
        public string Exchange => "null";
        public IngestCounters Counters { get; } = new();
        public void OnFrame(ReadOnlySpan<byte> frame, long receiveNs) => Counters.Frames++;
        public void OnRest(ReadOnlySpan<byte> body, long receiveNs, string? url) => Counters.Frames++;
        public void OnSession(TickEngine.Storage.Format.StatusKind kind, long receiveNs, bool books = true) { }
    }

    private static long ReadOnly(string capture)
    {
        var a = new NullAdapter();
        new CaptureFileSource(capture, a).RunAsync().GetAwaiter().GetResult();
        return a.Counters.Frames;
    }

    private static long ParseOnly(string capture)
    {
        var d = new ValueDisruptor<MarketEvent>(1 << 19);
        var a = new BinanceAdapter(new InstrumentRegistry(), new EventPublisher(d.Ring, d.Sequencer), futures: false);
        new CaptureFileSource(capture, a).RunAsync().GetAwaiter().GetResult();
        return a.Counters.Frames;
    }

    private static long Whole(string capture)
    {
        string root = Path.Combine(Path.GetTempPath(), "tickengine-rec-" + Guid.NewGuid().ToString("N"));
        try
        {
            var p = new RecordPipeline(new RecordOptions { Root = root, WallClockFlush = false });
            var src = new CaptureFileSource(capture, p.Adapter);
            p.Start();
            src.RunAsync().GetAwaiter().GetResult();
            p.Stop();
            return p.Adapter.Counters.Frames;
        }
        finally
        {
            Directory.Delete(root, true);
        }
    }
}
