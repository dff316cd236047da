using System.Collections.Concurrent;
using System.Globalization;
using TickEngine.Storage.Reading;

namespace TickEngine.Engine.Research;

/// <summary>
/// Parameter search over backtests: a grid (every combination of <c>steps</c> points per range) or <c>n</c> random
/// candidates drawn from a seeded generator, each run in parallel (one backtest per core, each with its own reader,
/// ring and thread). Walk-forward: candidates are fitted on the first part of the period and the best are reported
/// on the rest, so over-fitting shows as the gap between the two. The same seed and data give the same table, in
/// the same order, whatever the scheduling (results are sorted by objective, then by parameters).
/// </summary>
public static class Tuner
{
    public static List<Dictionary<string, string>> Candidates(IReadOnlyList<TuneParameter> parameters, int? grid, int? random, int seed)
    {
        var ranges = parameters.Where(p => !p.Fixed).ToList();
        var baseSet = parameters.Where(p => p.Fixed).ToDictionary(p => p.Name, p => Text(p.From));
        var list = new List<Dictionary<string, string>>();
        if (random is { } n)
        {
            var rnd = new Random(seed);
            for (int i = 0; i < n; i++)
            {
                var c = new Dictionary<string, string>(baseSet);
                foreach (var p in ranges) c[p.Name] = Text(Math.Round(p.From + (p.To - p.From) * (decimal)rnd.NextDouble(), p.Decimals));
                list.Add(c);
            }
            return list;
        }
        int steps = Math.Max(2, grid ?? 5);
        list.Add(new Dictionary<string, string>(baseSet));
        foreach (var p in ranges)
        {
            var next = new List<Dictionary<string, string>>();
            foreach (var c in list)
                for (int k = 0; k < steps; k++)
                    next.Add(new Dictionary<string, string>(c) { [p.Name] = Text(Math.Round(p.From + (p.To - p.From) * k / (steps - 1), p.Decimals)) });
            list = next;
        }
        return list.GroupBy(c => string.Join(",", c.OrderBy(x => x.Key).Select(x => x.Value))).Select(g => g.First()).ToList();
    }

    private static string Text(decimal d) => d.ToString("0.########", CultureInfo.InvariantCulture);

    /// <summary>The instrument's data span (first and last exchange time of its deltas).</summary>
    public static (long First, long Last) Span(BacktestSpec spec)
    {
        long first = long.MaxValue, last = long.MinValue;
        var (exchange, _, _, sampleDepth) = BacktestRunner.Source(spec);
        string root = Path.Combine(spec.Root, exchange, spec.Symbol, sampleDepth > 0 ? "l2" : "deltas");
        foreach (var file in Directory.GetFiles(root, "*.tks"))
        {
            using var r = SegmentReader.Open(file);
            foreach (var b in r.Blocks) { first = Math.Min(first, b.MinExchangeTime); last = Math.Max(last, b.MaxExchangeTime); }
        }
        return (first, last);
    }

    /// <summary>The objectives by name.</summary>
    public static IReadOnlyList<string> Objectives { get; } = ["sharpe", "pnl", "netpnl-cvar"];

    /// <summary>
    /// The figure a candidate is ranked by (higher is better): <c>sharpe</c>; <c>pnl</c> (net of fees, quote);
    /// <c>netpnl-cvar</c> = PnL − fees − λ × CVaR 95 % (the research design's objective: the report's PnL is already
    /// net of fees, and CVaR is the expected loss of the worst 5 % of intervals, counted positive).
    /// </summary>
    public static double Objective(BacktestMetrics m, string objective, MoneyScale money, double lambda = 1) => objective switch
    {
        "pnl" => money.ToDouble(m.TotalPnl),
        "netpnl-cvar" => money.ToDouble(m.TotalPnl) - lambda * m.CVaR95Loss,
        _ => m.Sharpe,
    };

    /// <summary>The objective per hour of the span it covers (fitted and tested spans differ in length); Sharpe as it is (already a rate).</summary>
    public static double ObjectivePerHour(BacktestMetrics m, string objective, MoneyScale money, double lambda = 1) =>
        objective == "sharpe" ? m.Sharpe : m.SpanNs <= 0 ? 0 : Objective(m, objective, money, lambda) / (m.SpanNs / 3.6e12);

    /// <param name="fitFraction">The share of the period the candidates are fitted on (walk-forward); 1 = no test span.</param>
    /// <param name="maxDrawdown">Candidates whose fitted drawdown passes it (quote money, exact) rank last.</param>
    public static List<TuneResult> Run(BacktestSpec spec, IReadOnlyList<Dictionary<string, string>> candidates, string objective, Int128? maxDrawdown,
        double fitFraction, int testTop, CancellationToken cancel, Action<int, int>? progress = null, double lambda = 1)
    {
        spec = BacktestRunner.Resolve(spec, cancel); // the clock offset and the grid once, not once per candidate
        var (first, last) = Span(spec);
        long split = fitFraction >= 1 ? long.MaxValue : first + (long)((last - first) * fitFraction);
        var fit = spec with { EndNs = Math.Min(spec.EndNs, split) };
        var money = new MoneyScale(BacktestRunner.Instrument(spec).PriceScale, BacktestRunner.Instrument(spec).QuantityScale);
        var results = new ConcurrentBag<(int Index, BacktestMetrics Metrics)>();
        int done = 0;
        Parallel.For(0, candidates.Count, new ParallelOptions { MaxDegreeOfParallelism = Environment.ProcessorCount, CancellationToken = cancel }, i =>
        {
            var (run, _, _) = BacktestRunner.Run(fit with { Parameters = candidates[i] }, cancel);
            results.Add((i, BacktestMetrics.Of(run)));
            progress?.Invoke(Interlocked.Increment(ref done), candidates.Count);
        });
        var ranked = results
            .Select(r => new TuneResult(candidates[r.Index], r.Metrics, null, maxDrawdown is null || r.Metrics.MaxDrawdown <= maxDrawdown))
            .OrderByDescending(r => r.WithinDrawdown)
            .ThenByDescending(r => Objective(r.Fit, objective, money, lambda))
            .ThenBy(r => r.Key, StringComparer.Ordinal)
            .ToList();
        if (split == long.MaxValue) return ranked;
        // Walk forward: the best candidates on the span they were not fitted on.
        var test = spec with { StartNs = Math.Max(spec.StartNs, split) };
        var top = ranked.Take(testTop).ToList();
        var tested = new TuneResult[top.Count];
        Parallel.For(0, top.Count, new ParallelOptions { MaxDegreeOfParallelism = Environment.ProcessorCount, CancellationToken = cancel }, i =>
        {
            var (run, _, _) = BacktestRunner.Run(test with { Parameters = top[i].Parameters }, cancel);
            tested[i] = top[i] with { Test = BacktestMetrics.Of(run) };
        });
        return tested.Concat(ranked.Skip(top.Count)).ToList();
    }
}
