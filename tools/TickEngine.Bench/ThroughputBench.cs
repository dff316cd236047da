namespace TickEngine.Bench;

/// <summary>
/// Ramps the offered rate through the same end-to-end path as <see cref="LatencyBench"/> (a fresh simulator and
/// recorder per step) and finds the highest rate held with zero drops. A rate is held when the simulator sent
/// at least 99 % of it (its market waits rather than drop when the recorder falls behind, so a recorder that
/// cannot keep up shows as a shortfall), the recorder parsed at least 99 % of it, the backlog at the end of the
/// window is under 100 ms of the rate, and after draining every trade sent is committed exactly once.
/// </summary>
public static class ThroughputBench
{
    public static async Task<(IReadOnlyList<ThroughputStep> Steps, int HighestHeld)> RunAsync(ThroughputBenchOptions o, Action<ThroughputStep>? onStep = null, CancellationToken cancel = default)
    {
        var steps = new List<ThroughputStep>();
        int held = 0, failed = 0;
        async Task<bool> Try(int rate)
        {
            var report = await LatencyBench.RunAsync(new LatencyBenchOptions { Rate = rate, Duration = o.Duration, Warmup = o.Warmup }, null, cancel);
            var (ok, why) = Judge(rate, report);
            var step = new ThroughputStep(rate, report, ok, why);
            steps.Add(step);
            onStep?.Invoke(step);
            return ok;
        }
        for (double rate = o.StartRate; ; rate *= o.Step)
        {
            int r = (int)Math.Min(rate, o.MaxRate);
            if (await Try(r)) held = r;
            else { failed = r; break; }
            if (r >= o.MaxRate) break;
        }
        for (int i = 0; i < o.Refine && failed > 0 && failed - held > Math.Max(1000, held / 50); i++)
        {
            int mid = (held + failed) / 2;
            if (await Try(mid)) held = mid;
            else failed = mid;
        }
        return (steps, held);
    }

    /// <summary>Whether <paramref name="report"/> held <paramref name="rate"/>, and if not, why.</summary>
    public static (bool Held, string Why) Judge(int rate, LatencyReport report)
    {
        if (report.Dropped > 0 || report.IdBreaks > 0 || report.Faults.Count > 0) return (false, string.Join("; ", report.Failures));
        if (report.SentRate < 0.99 * rate) return (false, $"simulator could send only {report.SentRate:N0}/s (the recorder held it back)");
        if (report.AchievedRate < 0.99 * rate) return (false, $"recorder parsed only {report.AchievedRate:N0}/s");
        if (report.LagAtEnd > rate / 10) return (false, $"{report.LagAtEnd:N0} frames behind at the end of the window");
        return (true, "");
    }
}
