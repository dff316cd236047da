using System.Globalization;
using System.Text.Json;
using TickEngine.Engine.Metrics;

namespace TickEngine.Bench;

/// <summary>How bench results are printed and written: a percentile table, .hgrm files (µs) and a summary.</summary>
public static class BenchOutput
{
    private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;
    public static readonly double[] Percentiles = [50, 90, 99, 99.9, 99.99];

    public static string Micros(long ns) => (ns / 1000.0).ToString(ns < 10_000 ? "0.00" : ns < 1_000_000 ? "0.0" : "0", Inv);

    /// <summary>One line per stage: count, p50, p90, p99, p99.9, p99.99, max (µs).</summary>
    public static void WriteStageTable(TextWriter w, LatencyReport r)
    {
        w.WriteLine($"  {"stage (µs)",-18} {"count",10} {"p50",9} {"p90",9} {"p99",9} {"p99.9",9} {"p99.99",9} {"max",9}");
        for (int i = 0; i < StageProbe.StageNames.Length; i++)
        {
            var h = r.Stages[i];
            w.Write($"  {StageProbe.StageNames[i],-18} {h.TotalCount,10:N0}");
            foreach (double p in Percentiles) w.Write($" {Micros(h.ValueAtPercentile(p)),9}");
            w.WriteLine($" {Micros(h.Max),9}");
        }
    }

    public static void WriteCounts(TextWriter w, LatencyReport r)
    {
        w.WriteLine($"  offered {r.Options.Rate:N0}/s, sent {r.SentRate:N0}/s, parsed {r.AchievedRate:N0}/s; trades sent {r.TradesSent:N0}, committed {r.TradesCommitted:N0}, " +
                    $"dropped {r.Dropped:N0}, id breaks {r.IdBreaks:N0}, reconnects {r.Reconnects}, producer waits {r.ProducerWaits:N0}");
        w.WriteLine($"  hot-path allocations over {r.MeasuredFrames:N0} frames: producer (parse + publish) {r.ProducerAllocatedBytes:N0} B, handlers {r.HandlerAllocatedBytes:N0} B" +
                    $" (whole process, simulator and sockets included: {(r.MeasuredFrames > 0 ? r.ProcessAllocatedBytes / (double)r.MeasuredFrames : 0).ToString("0", Inv)} B/frame)");
        w.WriteLine($"    counted per read batch and per handler batch; {r.ProducerBatchesUncounted:N0} producer batches that a garbage collection interrupted are not counted (the runtime's per-thread count is not exact across one)");
        foreach (var (handler, bytes) in r.HandlerAllocations)
            if (bytes != 0) w.WriteLine($"    {handler}: {bytes:N0} B");
        w.WriteLine($"  cpu {r.CpuPerSecond.ToString("0.00", Inv)} cores, rss {r.RssBytes / 1e6:0} MB");
        foreach (var f in r.Faults) w.WriteLine($"  handler failed: {f}");
    }

    /// <summary>Writes one .hgrm per stage (values in µs, HdrHistogram's percentile layout) and summary.json into <paramref name="dir"/>.</summary>
    public static void WriteFiles(string dir, LatencyReport r)
    {
        Directory.CreateDirectory(dir);
        for (int i = 0; i < StageProbe.StageNames.Length; i++)
        {
            using var f = new StreamWriter(Path.Combine(dir, StageProbe.StageNames[i] + ".hgrm"));
            r.Stages[i].OutputPercentileDistribution(f, 5, 1000.0);
        }
        File.WriteAllText(Path.Combine(dir, "summary.json"), JsonSerializer.Serialize(Summary(r), new JsonSerializerOptions { WriteIndented = true }));
    }

    public static Dictionary<string, object> Summary(LatencyReport r)
    {
        var stages = new Dictionary<string, object>();
        for (int i = 0; i < StageProbe.StageNames.Length; i++) stages[StageProbe.StageNames[i]] = Stage(r.Stages[i]);
        return new Dictionary<string, object>
        {
            ["offered_per_s"] = r.Options.Rate,
            ["duration_s"] = r.Options.Duration.TotalSeconds,
            ["warmup_s"] = r.Options.Warmup.TotalSeconds,
            ["flush_interval_ms"] = r.Options.FlushInterval.TotalMilliseconds,
            ["sent_per_s"] = Math.Round(r.SentRate),
            ["parsed_per_s"] = Math.Round(r.AchievedRate),
            ["trades_sent"] = r.TradesSent,
            ["trades_committed"] = r.TradesCommitted,
            ["dropped"] = r.Dropped,
            ["id_breaks"] = r.IdBreaks,
            ["reconnects"] = r.Reconnects,
            ["producer_waits"] = r.ProducerWaits,
            ["measured_frames"] = r.MeasuredFrames,
            ["producer_allocated_bytes"] = r.ProducerAllocatedBytes,
            ["producer_batches_uncounted"] = r.ProducerBatchesUncounted,
            ["handler_allocated_bytes"] = r.HandlerAllocatedBytes,
            ["handler_allocations"] = r.HandlerAllocations,
            ["process_allocated_bytes"] = r.ProcessAllocatedBytes,
            ["cpu_cores"] = Math.Round(r.CpuPerSecond, 2),
            ["rss_bytes"] = r.RssBytes,
            ["handler_faults"] = r.Faults.ToArray(),
            ["stages_ns"] = stages,
        };
    }

    private static Dictionary<string, long> Stage(HdrHistogram h)
    {
        var d = new Dictionary<string, long> { ["count"] = h.TotalCount, ["min"] = h.Min };
        foreach (double p in Percentiles) d["p" + p.ToString(Inv)] = h.ValueAtPercentile(p);
        d["max"] = h.Max;
        return d;
    }
}
