using System.Diagnostics;
using System.Globalization;
using TickEngine.Benchmarks.Inputs;
using TickEngine.Engine.Book;
using TickEngine.Engine.Events;
using TickEngine.Engine.Ingest;
using TickEngine.Engine.Pipeline;
using TickEngine.Engine.Replay;
using TickEngine.Engine.Ring;
using TickEngine.Engine.Capture;
using TickEngine.Storage.Format;
using TickEngine.Storage.Writing;

namespace TickEngine.Benchmarks.Replay;

/// <summary>
/// <c>replay-pacing [--speed 10] [--seconds 30]</c>: the real capture recorded, then replayed (trades, deltas,
/// status) at --speed for its first --seconds of data: wall time against the expected span / speed, and the
/// per-event pacing error (how late each event went out) as an HDR histogram.
/// <c>replay-scale [--trades N] [--deltas N]</c>: a synthetic month of BTCUSDT trades (one segment a day) and a
/// synthetic day of full-depth deltas, written, then replayed at max speed through the ring (trades) and into a
/// rebuilt book (deltas): wall time, events/s, peak RSS, bytes on disk.
/// </summary>
public static class ReplayHarness
{
    private sealed class Counter : IValueEventHandler<MarketEvent>
    {
        public long Count;
        public void OnEvent(ref MarketEvent e, long sequence, bool endOfBatch) => Count++;
    }

    public static int Pacing(string[] args)
    {
        double speed = HarnessArgs.Long(args, "--speed", 10);
        long seconds = HarnessArgs.Long(args, "--seconds", 30);
        string root = Temp();
        try
        {
            var p = new RecordPipeline(new RecordOptions { Root = root, WallClockFlush = false });
            p.Start();
            new CaptureFileSource(FixtureTrades.BinanceSpotCapture, p.Adapter).Run();
            p.Stop();
            using var reader = new ReplayReader(new ReplaySelection { Root = root });
            var probe = new ReplayReader(new ReplaySelection { Root = root });
            probe.MoveNext();
            long first = probe.Timestamp;
            probe.Dispose();
            using var ranged = new ReplayReader(new ReplaySelection { Root = root, StartNs = first, EndNs = first + seconds * 1_000_000_000 });
            var d = new ValueDisruptor<MarketEvent>(1 << 16);
            var counter = new Counter();
            d.HandleEventsWith(counter);
            d.Start();
            var replay = new ReplayPublisher(ranged, new InstrumentRegistry(), new EventPublisher(d.Ring, d.Sequencer), speed);
            var sw = Stopwatch.StartNew();
            replay.Run();
            double wall = sw.Elapsed.TotalSeconds;
            d.Shutdown();
            double span = (replay.LastTimestamp - replay.FirstTimestamp) / 1e9;
            double expected = span / speed;
            var h = replay.PacingError;
            var inv = CultureInfo.InvariantCulture;
            Console.WriteLine(string.Format(inv, "speed {0}x: {1:N0} events over {2:F3} s of data; wall {3:F3} s, expected {4:F3} s, error {5:+0.000;-0.000} s ({6:+0.00;-0.00} %)",
                speed, replay.Events, span, wall, expected, wall - expected, 100 * (wall - expected) / expected));
            Console.WriteLine(string.Format(inv, "  per-event lateness: p50 {0:N1} µs, p99 {1:N1} µs, p99.9 {2:N1} µs, max {3:N1} µs",
                h.ValueAtPercentile(50) / 1e3, h.ValueAtPercentile(99) / 1e3, h.ValueAtPercentile(99.9) / 1e3, h.Max / 1e3));
        }
        finally { Directory.Delete(root, true); }
        return 0;
    }

    public static int Scale(string[] args)
    {
        long trades = HarnessArgs.Long(args, "--trades", 100_000_000);
        long deltas = HarnessArgs.Long(args, "--deltas", 100_000_000);
        string root = Temp();
        var inv = CultureInfo.InvariantCulture;
        try
        {
            // A month of trades: the capture's statistics, spread over 30 days (one segment a day).
            var sw = Stopwatch.StartNew();
            long spacing = 30L * 86_400_000_000_000 / trades;
            using (var w = new PartitionedWriter(root, "binance", "BTCUSDT", SegmentSchema.Create(SchemaKind.Trades)))
            {
                long i = 0, t0 = 1722470400_000_000_000; // 2024-08-01
                foreach (var r in FixtureTrades.Synthetic(trades))
                {
                    r[0] = t0 + i * spacing + (r[0] % 1_000_000);
                    r[1] = r[0] + 1_250_000_000 + (r[1] % 100_000);
                    w.Append(r);
                    i++;
                }
            }
            Console.WriteLine(string.Format(inv, "wrote {0:N0} trades (30 days) in {1:F1} s: {2:N0} bytes on disk, {3:F2} bytes/trade",
                trades, sw.Elapsed.TotalSeconds, DirBytes(root, "trades"), DirBytes(root, "trades") / (double)trades));
            Replay(root, SchemaKind.Trades, trades, inv);

            // A day of full-depth deltas: the real stream's accepted changes, repeated with increasing ids and times.
            sw.Restart();
            var real = FixtureDeltas.Real();
            using (var w = new PartitionedWriter(root, "binance", "BTCUSDT", SegmentSchema.Create(SchemaKind.Deltas)))
            {
                long written = 0, pass = 0, dayStart = 1725148800_000_000_000; // 2024-09-01
                long spacingD = 86_000_000_000_000 / deltas;
                var row = new long[DeltaColumns.Count];
                while (written < deltas)
                {
                    for (int i = pass == 0 ? 0 : 2000; i < real.Count && written < deltas; i++, written++)
                    {
                        real[i].CopyTo(row, 0);
                        row[0] = dayStart + written * spacingD;
                        row[1] = row[0] + 1_000_000;
                        row[2] += pass * 10_000_000; row[3] += pass * 10_000_000;
                        w.Append(row);
                    }
                    pass++;
                }
            }
            Console.WriteLine(string.Format(inv, "wrote {0:N0} deltas (1 day) in {1:F1} s: {2:N0} bytes on disk, {3:F2} bytes/delta",
                deltas, sw.Elapsed.TotalSeconds, DirBytes(root, "deltas"), DirBytes(root, "deltas") / (double)deltas));
            Replay(root, SchemaKind.Deltas, deltas, inv);
        }
        finally { Directory.Delete(root, true); }
        return 0;
    }

    private static void Replay(string root, SchemaKind kind, long expected, IFormatProvider inv)
    {
        var proc = Process.GetCurrentProcess();
        GC.Collect();
        var sw = Stopwatch.StartNew();
        long n;
        using var reader = new ReplayReader(new ReplaySelection { Root = root, Schemas = new HashSet<SchemaKind> { kind } });
        if (kind == SchemaKind.Trades)
        {
            var d = new ValueDisruptor<MarketEvent>(1 << 16);
            var counter = new Counter();
            d.HandleEventsWith(counter);
            d.Start();
            new ReplayPublisher(reader, new InstrumentRegistry(), new EventPublisher(d.Ring, d.Sequencer), 0).Run();
            d.Shutdown();
            n = counter.Count;
        }
        else
        {
            var book = new BookRebuilder();
            var e = default(MarketEvent);
            e.Kind = EventKind.BookDelta;
            n = 0;
            while (reader.MoveNext())
            {
                RowEvents.Fill(reader.Current, SchemaKind.Deltas, 0, ref e);
                book.Apply(e);
                n++;
            }
        }
        double s = sw.Elapsed.TotalSeconds;
        proc.Refresh();
        Console.WriteLine(string.Format(inv, "  replayed {0:N0} {1} at max speed in {2:F1} s: {3:N0} events/s; peak RSS {4:N0} MB (process, incl. mapped segment pages), GC heap {5:N0} MB",
            n, SegmentSchema.NameOf(kind), s, n / s, proc.PeakWorkingSet64 / 1e6, GC.GetTotalMemory(false) / 1e6));
        if (n != expected) Console.WriteLine($"  MISMATCH: expected {expected:N0}");
    }

    private static long DirBytes(string root, string schema) =>
        Directory.EnumerateFiles(root, "*.tks", SearchOption.AllDirectories).Where(f => f.Contains(Path.DirectorySeparatorChar + schema + Path.DirectorySeparatorChar)).Sum(f => new FileInfo(f).Length);

    private static string Temp()
    {
        string d = Path.Combine(Path.GetTempPath(), "tickengine-replay-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(d);
        return d;
    }
}
