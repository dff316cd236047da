using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using TickEngine.Cli.CommandLine;
using TickEngine.Bench;

namespace TickEngine.Cli.Commands;

/// <summary><c>bench latency|throughput</c>: the end-to-end harnesses of perf/TickEngine.Bench.</summary>
public static class BenchCommand
{
    public const string Summary = "end-to-end latency and throughput over loopback (simulator -> WebSocket -> parse -> ring -> trade writer -> segment)";

    public static Command Build(CliContext ctx)
    {
        var cmd = Verb.Create("bench", Summary, """
            The built-in simulator offers one symbol's trades (Binance protocol) at a fixed rate; the recorder reads,
            parses, writes and commits them to a memory-mapped segment (in a temporary folder, removed afterwards).
            latency: per-stage HDR histograms (send-to-receive, receive-to-parsed, ring-handoff, handler-commit,
            send-to-appended, end-to-end = intended send to committed; coordinated omission corrected), p50..p99.99
            and max, drops and hot-path allocations. throughput: ramps the offered rate (x --step, then bisects) and
            reports the highest rate held with zero drops. Exit 1 on a drop or a hot-path allocation, never on a time.

            Examples:
              tickengine bench latency --rate 100000 --duration 30 --out results/latency
              tickengine bench throughput --start 300000 --step 1.2 --duration 30
            """);
        var latency = new Command("latency", "per-stage HDR histograms at a fixed offered rate");
        var rate = Vocabulary.Int("--rate", "trade frames/s offered", 10_000, 1, 5_000_000);
        var duration = Vocabulary.Duration("--duration", "measured time (default 20s)");
        var warmup = new Option<double?>("--warmup") { Description = "seconds before measuring (default 3)", HelpName = "SECONDS" };
        var flush = Vocabulary.Int("--flush-ms", "the recorder's commit interval", 1000, 1, 3_600_000);
        var outDir = Vocabulary.Text("--out", ".hgrm files (µs) and summary.json here", "DIR");
        foreach (var o in new Option[] { rate, duration, warmup, flush, outDir }) latency.Options.Add(o);
        latency.SetAction(r => Latency(new LatencyBenchOptions
        {
            Rate = r.GetValue(rate),
            Duration = r.GetValue(duration) ?? TimeSpan.FromSeconds(20),
            Warmup = TimeSpan.FromSeconds(Seconds(r.GetValue(warmup), 3, "--warmup")),
            FlushInterval = TimeSpan.FromMilliseconds(r.GetValue(flush)),
        }, OutDir(r.GetValue(outDir)), ctx));
        var throughput = new Command("throughput", "the highest offered rate held with zero drops");
        var start = Vocabulary.Int("--start", "first rate tried", 50_000, 1_000, 5_000_000);
        var max = Vocabulary.Int("--max", "highest rate tried", 2_000_000, 1_000, 5_000_000);
        var step = Vocabulary.Number("--step", "rate multiplier between steps (default 1.5)", 1.05, 10);
        var tDuration = Vocabulary.Duration("--duration", "time per rate (default 10s)");
        var tWarmup = new Option<double?>("--warmup") { Description = "seconds before measuring each rate (default 2)", HelpName = "SECONDS" };
        var tOut = Vocabulary.Text("--out", "per-rate .hgrm files and throughput.json here", "DIR");
        foreach (var o in new Option[] { start, max, step, tDuration, tWarmup, tOut }) throughput.Options.Add(o);
        throughput.SetAction(r =>
        {
            int first = r.GetValue(start);
            if (r.GetValue(max) < first) throw new UsageException("--max must be at least --start");
            return Throughput(new ThroughputBenchOptions
            {
                StartRate = first,
                MaxRate = r.GetValue(max),
                Step = r.GetValue(step) ?? 1.5,
                Duration = r.GetValue(tDuration) ?? TimeSpan.FromSeconds(10),
                Warmup = TimeSpan.FromSeconds(Seconds(r.GetValue(tWarmup), 2, "--warmup")),
            }, OutDir(r.GetValue(tOut)), ctx);
        });
        cmd.Subcommands.Add(latency);
        cmd.Subcommands.Add(throughput);
        return cmd;
    }

    private static double Seconds(double? given, double fallback, string name) =>
        given is null ? fallback : given is >= 0 and <= 3600 ? given.Value : throw new UsageException($"{name} must be 0 to 3600 seconds, got {given}");

    private static string? OutDir(string? dir) =>
        dir is not null && File.Exists(dir) ? throw new UsageException($"--out {dir}: is a file, not a folder") : dir;

    private static int Latency(LatencyBenchOptions options, string? outDir, CliContext ctx)
    {
        var w = ctx.Out;
        var report = LatencyBench.RunAsync(options, w, ctx.Cancel).GetAwaiter().GetResult();
        BenchOutput.WriteStageTable(w, report);
        w.WriteLine();
        w.WriteLine("  end-to-end (intended send -> committed), µs, HdrHistogram percentile distribution:");
        using (var sw = new StringWriter(CultureInfo.InvariantCulture))
        {
            report.EndToEnd.OutputPercentileDistribution(sw, 1, 1000.0);
            foreach (var line in sw.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries)) w.WriteLine("  " + line.TrimEnd('\r'));
        }
        w.WriteLine();
        BenchOutput.WriteCounts(w, report);
        if (outDir is not null)
        {
            BenchOutput.WriteFiles(outDir, report);
            w.WriteLine($"  .hgrm files and summary.json in {outDir}");
        }
        return Verdict(report, "latency", ctx);
    }

    private static int Verdict(LatencyReport report, string bench, CliContext ctx)
    {
        if (report.Clean)
        {
            ctx.Out.WriteLine($"bench {bench}: ok (0 dropped, 0 B allocated on the hot path)");
            return 0;
        }
        ctx.Error.WriteLine($"tickengine bench {bench}: FAILED: {string.Join("; ", report.Failures)}");
        return 1;
    }

    private static int Throughput(ThroughputBenchOptions options, string? outDir, CliContext ctx)
    {
        int start = options.StartRate;
        var w = ctx.Out;
        w.WriteLine($"bench throughput: one symbol's trade frames, {options.Duration.TotalSeconds:0.#} s per rate after a {options.Warmup.TotalSeconds:0.#} s warm-up");
        w.WriteLine($"  {"offered/s",10} {"sent/s",10} {"parsed/s",10} {"dropped",8} {"lag",8} {"e2e p50 µs",11} {"p99",9} {"p99.9",9} {"max",9} {"cpu",5} {"held",5}");
        var (steps, highest) = ThroughputBench.RunAsync(options, s =>
        {
            var r = s.Report;
            var e = r.EndToEnd;
            w.WriteLine($"  {s.Rate,10:N0} {r.SentRate,10:N0} {r.AchievedRate,10:N0} {r.Dropped,8:N0} {r.LagAtEnd,8:N0} {BenchOutput.Micros(e.ValueAtPercentile(50)),11} " +
                        $"{BenchOutput.Micros(e.ValueAtPercentile(99)),9} {BenchOutput.Micros(e.ValueAtPercentile(99.9)),9} {BenchOutput.Micros(e.Max),9} {r.CpuPerSecond,5:0.00} {(s.Held ? "yes" : "no"),5}{(s.Held ? "" : "  " + s.Why)}");
            foreach (var failure in r.Failures) w.WriteLine($"  {"",10} {failure}");
            if (outDir is not null) BenchOutput.WriteFiles(Path.Combine(outDir, $"rate-{s.Rate}"), r);
        }, ctx.Cancel).GetAwaiter().GetResult();
        w.WriteLine(highest > 0
            ? $"highest rate held with zero drops: {highest:N0} trade frames/s"
            : $"no rate held (the lowest tried was {start:N0}/s)");
        if (outDir is not null)
        {
            Directory.CreateDirectory(outDir);
            var summary = new Dictionary<string, object>
            {
                ["highest_held_per_s"] = highest,
                ["steps"] = steps.Select(s => new Dictionary<string, object>(BenchOutput.Summary(s.Report)) { ["held"] = s.Held, ["why_not"] = s.Why }).ToArray(),
            };
            File.WriteAllText(Path.Combine(outDir, "throughput.json"), JsonSerializer.Serialize(summary, new JsonSerializerOptions { WriteIndented = true }));
            w.WriteLine($"  per-rate .hgrm files and throughput.json in {outDir}");
        }
        // The rates not held are reported, not failed; a rate that lost or allocated anything fails the run.
        var failures = steps.SelectMany(st => st.Report.Failures.Select(f => $"{st.Rate:N0}/s: {f}")).ToList();
        if (failures.Count > 0)
        {
            ctx.Error.WriteLine($"tickengine bench throughput: FAILED: {string.Join("; ", failures)}");
            return 1;
        }
        return 0;
    }
}
