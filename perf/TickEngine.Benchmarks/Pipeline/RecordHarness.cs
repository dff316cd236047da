using System.Diagnostics;
using System.Globalization;
using TickEngine.Benchmarks.Inputs;
using TickEngine.Engine.Capture;
using TickEngine.Engine.Events;
using TickEngine.Engine.Ingest;
using TickEngine.Engine.Venues.Binance;
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
        string capture = HarnessArgs.Value(args, "--capture") ?? FixtureTrades.BinanceSpotCapture;
        _ring = (int)HarnessArgs.Long(args, "--ring", _ring);
        var inv = CultureInfo.InvariantCulture;
        if (HarnessArgs.Value(args, "--only") == "book")
        {
            // The level changes the producer applied, then applied again to a fresh book alone: the book's own cost.
            var d = new ValueDisruptor<MarketEvent>(1 << 23);
            var adapter = new BinanceAdapter(new InstrumentRegistry(), new EventPublisher(d.Ring, d.Sequencer), futures: false);
            new CaptureFileSource(capture, adapter).Run();
            var changes = new List<(TickEngine.Storage.Format.BookSide, long, long)>();
            for (long q = 0; q < Math.Min(adapter.Counters.LevelsApplied + 1_000_000, d.Ring.Size); q++)
                if (d.Ring[q].Kind == EventKind.BookDelta) changes.Add(((TickEngine.Storage.Format.BookSide)d.Ring[q].Side, d.Ring[q].Price, d.Ring[q].Quantity));
            int max = 0;
            for (int r = 0; r < repeat; r++)
            {
                var book = new TickEngine.Engine.Book.OrderBook();
                var sw = Stopwatch.StartNew();
                foreach (var (side, p, q) in changes) { book.Set(side, p, q); }
                Console.WriteLine($"book alone: {changes.Count:N0} level changes in {sw.Elapsed.TotalMilliseconds:F1} ms, {sw.Elapsed.TotalMilliseconds * 1e6 / changes.Count:F1} ns each");
                max = book.BidCount + book.AskCount;
            }
            var sizes = new TickEngine.Engine.Book.OrderBook();
            int peak = 0;
            foreach (var (side, p, q) in changes) { sizes.Set(side, p, q); peak = Math.Max(peak, sizes.BidCount + sizes.AskCount); }
            Console.WriteLine($"levels at the end {max:N0}, at most {peak:N0}");
            return 0;
        }
        if (HarnessArgs.Value(args, "--only") == "whole")
        {
            Measure("the whole pipeline", repeat, () => Whole(capture));
            return 0;
        }
        if (HarnessArgs.Value(args, "--only") == "parse")
        {
            // For a profiler: the producer alone, again and again.
            Measure("parse + book sync + publish (no handlers)", repeat, () => ParseOnly(capture));
            return 0;
        }
        Measure("warm-up", 1, () => Whole(capture));
        double read = Measure("read + gunzip + split lines", repeat, () => ReadOnly(capture));
        double parse = Measure("  + parse + book sync + publish (no handlers)", repeat, () => ParseOnly(capture));
        double whole = Measure("  + 5 handlers writing segments (record --from-capture)", repeat, () => Whole(capture));
        Console.WriteLine($"book at the end: {_bookLevels.Bids:N0} bid and {_bookLevels.Asks:N0} ask levels");
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
        new CaptureFileSource(capture, a).Run();
        return a.Counters.Frames;
    }

    private static long ParseOnly(string capture)
    {
        var d = new ValueDisruptor<MarketEvent>(1 << 19);
        var a = new BinanceAdapter(new InstrumentRegistry(), new EventPublisher(d.Ring, d.Sequencer), futures: false);
        new CaptureFileSource(capture, a).Run();
        if (a.BookOf(0) is { } b) _bookLevels = (b.Book.BidCount, b.Book.AskCount);
        return a.Counters.Frames;
    }

    private static (int Bids, int Asks) _bookLevels;
    private static int _ring = RecordOptions.ForCapture("x").RingSize;

    private static long Whole(string capture)
    {
        string root = Path.Combine(Path.GetTempPath(), "tickengine-rec-" + Guid.NewGuid().ToString("N"));
        try
        {
            var p = new RecordPipeline(RecordOptions.ForCapture(root) with { RingSize = _ring });
            var src = new CaptureFileSource(capture, p.Adapter);
            p.Start();
            src.Run();
            p.Stop();
            return p.Adapter.Counters.Frames;
        }
        finally
        {
            Directory.Delete(root, true);
        }
    }
}
