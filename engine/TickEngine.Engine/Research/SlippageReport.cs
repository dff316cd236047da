namespace TickEngine.Engine.Research;

/// <summary>
/// Slippage statistics from <see cref="SlippageAnalysis"/> samples. Percentiles are nearest-rank over the sorted
/// samples (p50 of 4 samples is the 2nd); bp figures are ratios (double); costs in quote currency are exact sums.
/// Partial samples (the book could not absorb the size) are counted in <see cref="SlippageRow.Partial"/> and their bp
/// figures are those of what did fill.
/// </summary>
public static class SlippageReport
{
    public static IReadOnlyList<SlippageRow> Rows(IReadOnlyList<SlippageSample> samples, MoneyScale money)
    {
        var rows = new List<SlippageRow>();
        foreach (var group in samples.GroupBy(s => (s.Side, s.Size)).OrderBy(g => g.Key.Side).ThenBy(g => g.Key.Size))
        {
            var list = group.ToList();
            var bps = list.Where(s => s.Filled > 0).Select(s => s.BpsVsMid(money)).Order().ToArray();
            var arrival = list.Where(s => s.Filled > 0).Select(s => s.BpsVsArrival(money)).Order().ToArray();
            Int128 cost = 0;
            foreach (var s in list) cost += s.CostVsMid(money);
            var byHour = list.Where(s => s.Filled > 0)
                .GroupBy(s => (int)((s.ExecutionNs / 3_600_000_000_000L) % 24))
                .OrderBy(h => h.Key)
                .Select(h => (h.Key, h.Count(), h.Average(s => s.BpsVsMid(money))))
                .ToList();
            rows.Add(new SlippageRow(group.Key.Side, group.Key.Size, list.Count, list.Count(s => s.Partial),
                bps.Length == 0 ? 0 : bps.Average(), Rank(bps, 0.50), Rank(bps, 0.95), Rank(bps, 0.99), bps.Length == 0 ? 0 : bps[^1],
                list.Where(s => s.Filled > 0).Select(s => s.BpsVsArrival(money)).DefaultIfEmpty(0).Average(), cost,
                list.Count == 0 ? 0 : list.Average(s => (double)s.Levels), byHour)
            {
                P50BpsVsArrival = Rank(arrival, 0.50), P95BpsVsArrival = Rank(arrival, 0.95), P99BpsVsArrival = Rank(arrival, 0.99),
                MaxBpsVsArrival = arrival.Length == 0 ? 0 : arrival[^1], BeyondKnownDepth = list.Count(s => s.BeyondKnownDepth),
            });
        }
        return rows;
    }

    /// <summary>Nearest-rank percentile of sorted values (0 when empty).</summary>
    public static double Rank(double[] sorted, double p)
    {
        if (sorted.Length == 0) return 0;
        int rank = (int)Math.Ceiling(p * sorted.Length);
        return sorted[Math.Clamp(rank - 1, 0, sorted.Length - 1)];
    }
}
