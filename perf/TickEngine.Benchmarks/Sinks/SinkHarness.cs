using System.Diagnostics;
using System.Globalization;
using TickEngine.Benchmarks.Inputs;
using TickEngine.Engine.Capture;
using TickEngine.Engine.Pipeline;
using TickEngine.Engine.Sinks;
using TickEngine.Engine.Sinks.Parquet;

namespace TickEngine.Benchmarks.Sinks;

/// <summary>
/// <c>dotnet run -c Release --project perf/TickEngine.Benchmarks -- sink-speed [--repeat N] [--capture FILE]</c>: the
/// real spot capture recorded (every schema, one-second commit grid) without a sink, with the Parquet sink under
/// <c>catch-up</c> and under <c>block</c> (each run ends when the sink holds every row), and a backfill: the Parquet
/// sink attached with <c>from=start</c> to a recorded root, by a run that records nothing, so every row comes back
/// from the segments. Runs alternate; medians, rows/s and the ratio to the run without a sink in the same process.
/// </summary>
public static class SinkHarness
{
    public static int Run(string[] args)
    {
        int repeat = (int)HarnessArgs.Long(args, "--repeat", 3);
        string capture = HarnessArgs.Value(args, "--capture") ?? FixtureTrades.BinanceSpotCapture;
        var inv = CultureInfo.InvariantCulture;
        string tmp = Path.Combine(Path.GetTempPath(), "tickengine-sink-speed-" + Guid.NewGuid().ToString("N"));
        var times = new Dictionary<string, List<double>>();
        long rows = 0, parquetBytes = 0, segmentBytes = 0;
        int files = 0;
        try
        {
            for (int r = -1; r < repeat; r++) // r = -1 warms up
            {
                foreach (var mode in new[] { "none", "catch-up", "block", "backfill" })
                {
                    string root = Path.Combine(tmp, $"{mode}-{r}"), pq = Path.Combine(tmp, $"{mode}-{r}-pq");
                    double seconds;
                    if (mode == "backfill")
                    {
                        string source = Path.Combine(tmp, $"none-{r}");
                        var sink = new ParquetSink(pq);
                        var options = RecordOptions.ForCapture(source) with { Sinks = [new SinkRegistration(sink, new SinkOptions { Start = SinkStart.Beginning })] };
                        var sw = Stopwatch.StartNew();
                        var p = new RecordPipeline(options);
                        p.Start();
                        p.Stop();
                        seconds = sw.Elapsed.TotalSeconds;
                        var st = p.Statistics().Sinks[0];
                        if (st.State != SinkState.Done || st.LagRows != 0) throw new InvalidOperationException($"backfill ended {st.State} with lag {st.LagRows}");
                        if (r == 0)
                        {
                            files = sink.FilesWritten;
                            parquetBytes = Directory.GetFiles(pq, "*.parquet", SearchOption.AllDirectories).Sum(f => new FileInfo(f).Length);
                            segmentBytes = Directory.GetFiles(source, "*.tks", SearchOption.AllDirectories).Sum(f => new FileInfo(f).Length);
                        }
                    }
                    else
                    {
                        SinkRegistration[] sinks = mode == "none" ? [] :
                            [new SinkRegistration(new ParquetSink(pq), new SinkOptions { Policy = mode == "block" ? FailurePolicy.Block : FailurePolicy.CatchUp })];
                        var options = RecordOptions.ForCapture(root) with { CommitInterval = TimeSpan.FromSeconds(1), Sinks = sinks };
                        var sw = Stopwatch.StartNew();
                        var p = new RecordPipeline(options);
                        var src = new CaptureFileSource(capture, p.Adapter);
                        p.Start();
                        src.Run();
                        p.Stop();
                        seconds = sw.Elapsed.TotalSeconds;
                        rows = p.Statistics().Outputs.Sum(o => o.RowsCommitted);
                        if (mode != "none")
                        {
                            var st = p.Statistics().Sinks[0];
                            if (st.State != SinkState.Done || st.LagRows != 0 || st.RowsDurable != rows) throw new InvalidOperationException($"{mode}: ended {st.State}, lag {st.LagRows}, durable {st.RowsDurable} of {rows}");
                        }
                    }
                    if (r >= 0) (times.TryGetValue(mode, out var l) ? l : times[mode] = new()).Add(seconds);
                }
            }
        }
        finally
        {
            try { Directory.Delete(tmp, true); } catch (IOException) { }
        }
        double Median(List<double> v) { var s = v.Order().ToList(); return s[s.Count / 2]; }
        double baseline = Median(times["none"]);
        Console.WriteLine($"capture {Path.GetFileName(capture)}: {rows:N0} rows over every schema, {repeat} runs each, medians");
        foreach (var (mode, label) in new[] { ("none", "record, no sink"), ("catch-up", "record + parquet sink (catch-up), until it holds every row"),
                     ("block", "record + parquet sink (block), until it holds every row"), ("backfill", "parquet backfill from the segments alone (from=start)") })
        {
            double m = Median(times[mode]);
            Console.WriteLine(string.Format(inv, "  {0,-66} {1,7:F3} s  {2,10:N0} rows/s  x{3:F2} of no sink", label, m, rows / m, m / baseline));
        }
        Console.WriteLine(string.Format(inv, "  parquet: {0} files, {1:N0} bytes, {2:F2} bytes/row; segments {3:N0} bytes, {4:F2} bytes/row",
            files, parquetBytes, parquetBytes / (double)rows, segmentBytes, segmentBytes / (double)rows));
        return 0;
    }
}
