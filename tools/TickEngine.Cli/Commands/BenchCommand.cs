using System.Globalization;
using System.Text.Json;
using TickEngine.Cli.CommandLine;
using TickEngine.PerfHarness;

namespace TickEngine.Cli.Commands;

/// <summary><c>bench latency|throughput</c>: the end-to-end harnesses of perf/TickEngine.PerfHarness.</summary>
public static class BenchCommand
{
    public const string Usage = """
        usage: tickengine bench latency [--rate N] [--duration SECONDS] [--warmup SECONDS] [--flush-ms MS] [--out DIR]
               tickengine bench throughput [--start N] [--max N] [--step X] [--duration SECONDS] [--warmup SECONDS] [--out DIR]
          End to end over loopback: the built-in simulator offers one symbol's trades (Binance protocol) at a fixed
          rate; the recorder reads them over a WebSocket, parses them into the ring, and the trade writer appends and
          commits them to a memory-mapped segment (in a temporary folder, removed afterwards).
          latency     per-stage HDR histograms (send-to-receive, receive-to-parsed, ring-handoff, handler-commit,
                      send-to-appended, end-to-end = intended send to committed), each trade timed from the send time
                      the simulator's schedule gave it (coordinated omission corrected); prints p50, p90, p99,
                      p99.9, p99.99 and max, the end-to-end percentile distribution, drops and hot-path allocations.
                      --rate 10000, --duration 20, --warmup 3, --flush-ms 1000 (the recorder's commit interval).
          throughput  ramps the offered rate (from --start 50000, times --step 1.5, up to --max 2000000, then
                      bisects) and reports the highest rate held with zero drops; --duration 10, --warmup 2 per step.
          --out DIR   .hgrm files (µs, HdrHistogram's layout) and summary.json
          Exit 0 when nothing was dropped and the hot path allocated nothing, 1 otherwise; the times are reported,
          never judged (shared machines are noisy).
        """;

    public static int Run(IReadOnlyList<string> args, CliContext ctx)
    {
        var p = new ArgParser(args, ["--rate", "--duration", "--warmup", "--flush-ms", "--out", "--start", "--max", "--step"], []);
        if (p.Help || p.Positionals.Count == 0) { (p.Help ? ctx.Out : ctx.Error).Write(Usage); return p.Help ? 0 : 2; }
        if (p.Positionals.Count > 1) throw new UsageException($"unexpected argument '{p.Positionals[1]}'");
        string? outDir = p.Value("--out");
        if (outDir is not null && File.Exists(outDir)) throw new UsageException($"--out {outDir}: is a file, not a folder");
        return p.Positionals[0] switch
        {
            "latency" => Latency(p, outDir, ctx),
            "throughput" => Throughput(p, outDir, ctx),
            var other => throw new UsageException($"unknown bench '{other}': latency or throughput"),
        };
    }

    private static int Latency(ArgParser p, string? outDir, CliContext ctx)
    {
        foreach (var o in new[] { "--start", "--max", "--step" }) if (p.Value(o) is not null) throw new UsageException($"{o} is a throughput option");
        var options = new LatencyBenchOptions
        {
            Rate = p.Int("--rate", 10_000, 1, 5_000_000),
            Duration = TimeSpan.FromSeconds(p.Double("--duration", 20, 1, 86_400)),
            Warmup = TimeSpan.FromSeconds(p.Double("--warmup", 3, 0, 3_600)),
            FlushInterval = TimeSpan.FromMilliseconds(p.Int("--flush-ms", 1000, 1, 3_600_000)),
        };
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

    private static int Throughput(ArgParser p, string? outDir, CliContext ctx)
    {
        foreach (var o in new[] { "--rate", "--flush-ms" }) if (p.Value(o) is not null) throw new UsageException($"{o} is a latency option");
        int start = p.Int("--start", 50_000, 1_000, 5_000_000);
        var options = new ThroughputBenchOptions
        {
            StartRate = start,
            MaxRate = p.Int("--max", 2_000_000, start, 5_000_000),
            Step = p.Double("--step", 1.5, 1.05, 10),
            Duration = TimeSpan.FromSeconds(p.Double("--duration", 10, 1, 3_600)),
            Warmup = TimeSpan.FromSeconds(p.Double("--warmup", 2, 0, 3_600)),
        };
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
