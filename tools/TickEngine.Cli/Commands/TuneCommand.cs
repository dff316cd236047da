using System.CommandLine;
using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json;
using TickEngine.Cli.CommandLine;
using TickEngine.Cli.Reports;
using TickEngine.Engine.Research;
using TickEngine.Storage.Numerics;

namespace TickEngine.Cli.Commands;

/// <summary><c>tune</c>: a parameter search of backtests, in parallel, with walk-forward validation.</summary>
public static class TuneCommand
{
    public const string Summary = "search a strategy's parameters (grid or random) with backtests in parallel, fitted on one span and reported on the next";

    public static Command Build(CliContext ctx)
    {
        var cmd = Verb.Create("tune", Summary, """
            Every --param name=from..to is searched (--grid N points each, or --random N draws from --seed); name=value
            stays fixed. Candidates run in parallel over the cores. Walk-forward: each is fitted on the first
            --fit-fraction of the period (default 0.5) and the --top best are backtested again on the rest: a
            parameter set that only fits noise shows a fitted figure far above its tested one. Candidates whose fitted
            drawdown passes --max-drawdown (quote currency) rank last. The same seed gives the same table.

            Examples:
              tickengine tune --data data --symbol BTCUSDT --strategy mm --grid 4 --param spread_bps=1..8 --param skew_bps=0..2 --objective sharpe
              tickengine tune --data data --symbol BTCUSDT --strategy imbalance --random 20 --param buy_above=1.5..5 --seed 7 --objective pnl --out reports/tune
            """);
        var seed = Vocabulary.Int("--seed", "seed of --random (and of the --synthetic market)", 1, int.MinValue, int.MaxValue);
        var options = new BacktestOptions(cmd, seed);
        var grid = new Option<int?>("--grid") { Description = "points per range (every combination)", HelpName = "N" };
        var random = new Option<int?>("--random") { Description = "random candidates", HelpName = "N" };
        var objective = new Option<string>("--objective") { Description = "sharpe (default), pnl (net of fees), or netpnl-cvar (PnL - fees - lambda x CVaR 95 %, the expected loss of the worst 5 % of intervals)", HelpName = "O", DefaultValueFactory = _ => "sharpe" };
        objective.AcceptOnlyFromAmong([.. Tuner.Objectives]);
        var lambda = Vocabulary.Number("--lambda", "weight of CVaR in netpnl-cvar (default 1)", 0, 1e9, "L");
        var maxDd = Vocabulary.Number("--max-drawdown", "rank last the candidates whose fitted drawdown passes this (quote currency)", 0, 1e18, "X");
        var fit = Vocabulary.Number("--fit-fraction", "share of the period fitted on (default 0.5; 1 = no walk-forward)", 0.05, 1, "F");
        var top = Vocabulary.Int("--top", "candidates tested on the rest of the period", 5, 1, 1000);
        var output = Vocabulary.Text("--out", "folder for tune.json and tune.html", "DIR");
        var json = Vocabulary.Json();
        foreach (var o in new Option[] { grid, random, objective, lambda, maxDd, seed, fit, top, output, json }) cmd.Options.Add(o);
        cmd.SetAction(r =>
        {
            try { return Run(r); }
            finally { options.CleanUp(); }
        });
        return cmd;

        int Run(ParseResult r)
        {
            var spec = options.Spec(r, ctx, parametersAreRanges: true);
            if (r.GetValue(grid) is not null == r.GetValue(random) is not null) throw new UsageException("give one of --grid N or --random N");
            if (r.GetValue(grid) is < 2 or > 100) throw new UsageException("--grid must be 2..100 points per range");
            if (r.GetValue(random) is < 1 or > MaxCandidates) throw new UsageException($"--random must be 1..{MaxCandidates} candidates");
            List<TuneParameter> parameters;
            try { parameters = options.RawParameters(r).Select(TuneParameter.Parse).ToList(); }
            catch (ArgumentException e) { throw new UsageException(e.Message); }
            // A strategy's design bounds are searched unless a parameter is given otherwise.
            foreach (var b in StrategyRegistry.Find(spec.Strategy)!.TuneBounds)
            {
                int given = parameters.FindIndex(p => p.Name == b.Name);
                if (given < 0) parameters.Add(b);
                else if (b.Whole) parameters[given] = parameters[given] with { Whole = true };
            }
            if (parameters.All(p => p.Fixed)) throw new UsageException("give at least one --param name=from..to to search");
            // The number of candidates is known before any is made: a grid too large is refused without building it.
            long count = r.GetValue(grid) is { } g ? parameters.Where(p => !p.Fixed).Aggregate(1L, (n, _) => n > MaxCandidates ? n : n * g) : r.GetValue(random)!.Value;
            if (count > MaxCandidates) throw new UsageException($"{(count > 1_000_000 ? "more than 1,000,000" : count.ToString("N0", CultureInfo.InvariantCulture))} candidates: narrow the grid (at most {MaxCandidates:N0})");
            var candidates = Tuner.Candidates(parameters, r.GetValue(grid), r.GetValue(random), r.GetValue(seed));
            // A ranking over damaged data would rank nothing real: the data is verified first.
            var damage = BacktestRunner.Verify(spec, ctx.Cancel);
            if (damage.Count > 0)
                throw new InputException($"the data is damaged ({damage.Count} problem{(damage.Count == 1 ? "" : "s")}, the first: {damage[0].Message}): nothing was tuned; tickengine inspect names every one");
            var (_, ps, qs) = BacktestRunner.Instrument(spec);
            try { BacktestRunner.CreateStrategy(spec.Strategy, candidates[0], ps, qs); }
            catch (ArgumentException e) { throw new UsageException(e.Message); }
            var money = new MoneyScale(ps, qs);
            // Exact: 8.5 is 8.5 (the money scale has room for every digit a double of a drawdown carries).
            Int128? limit = r.GetValue(maxDd) is { } dd ? (Int128)decimal.Round((decimal)dd * Pow10(money.Scale)) : null;
            string obj = r.GetValue(objective)!;
            double lam = r.GetValue(lambda) ?? 1;
            if (r.GetValue(lambda) is not null && obj != "netpnl-cvar") throw new UsageException("--lambda weighs CVaR in --objective netpnl-cvar only");
            bool quiet = r.GetValue(json);
            var results = Tuner.Run(spec, candidates, obj, limit, r.GetValue(fit) ?? 0.5, r.GetValue(top), ctx.Cancel,
                quiet ? null : (done, all) => { if (done == all || done % Math.Max(1, all / 10) == 0) ctx.Error.WriteLine($"tune: {done}/{all} candidates"); }, lam);
            string text = Json(spec, obj, lam, r.GetValue(seed), r.GetValue(fit) ?? 0.5, money, results);
            if (r.GetValue(output) is { } dir)
            {
                Directory.CreateDirectory(dir);
                File.WriteAllText(Path.Combine(dir, "tune.json"), text);
                File.WriteAllText(Path.Combine(dir, "tune.html"), Html(spec, obj, lam, money, results));
            }
            if (quiet) ctx.Out.Write(text);
            else
            {
                ctx.Out.WriteLine($"tune: {spec.Strategy} on {spec.Symbol}, {results.Count} candidates, objective {obj}, fitted on {(r.GetValue(fit) ?? 0.5):P0} of the period");
                // The objective's columns, then PnL's unless the objective is PnL itself (never the same column twice).
                bool pnlColumns = obj != "pnl";
                ctx.Out.WriteLine($"{"rank",4} {"fit " + obj,16} {"test " + obj,16}{(pnlColumns ? $" {"fit pnl",16} {"test pnl",16}" : "")} {"fit dd",14}  parameters");
                int rank = 0;
                foreach (var res in results.Take(20))
                    ctx.Out.WriteLine(string.Create(CultureInfo.InvariantCulture,
                        $"{++rank,4} {Tuner.Objective(res.Fit, obj, money, lam),16:F4} {(res.Test is { } t ? Tuner.Objective(t, obj, money, lam).ToString("F4", CultureInfo.InvariantCulture) : "-"),16}{(pnlColumns ? $" {money.ToText(res.Fit.TotalPnl),16} {(res.Test is { } t2 ? money.ToText(t2.TotalPnl) : "-"),16}" : "")} {money.ToText(res.Fit.MaxDrawdown),14}{(res.WithinDrawdown ? "  " : " *")}{res.Key}"));
            }
            if (ctx.Cancel.IsCancellationRequested) throw new InputException("stopped by Ctrl+C or SIGTERM: the search is incomplete");
            return 0;
        }
    }

    /// <summary>The most candidates one search runs.</summary>
    public const int MaxCandidates = 10_000;

    private static decimal Pow10(int n) { decimal v = 1; for (int i = 0; i < n; i++) v *= 10; return v; }

    private static string Json(BacktestSpec spec, string objective, double lambda, int seed, double fit, MoneyScale money, List<TuneResult> results)
    {
        using var stream = new MemoryStream();
        using (var w = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true }))
        {
            w.WriteStartObject();
            w.WriteString("strategy", spec.Strategy);
            w.WriteString("symbol", spec.Symbol);
            w.WriteString("objective", objective);
            if (objective == "netpnl-cvar") w.WriteNumber("lambda", lambda);
            w.WriteNumber("seed", seed);
            w.WriteNumber("fit_fraction", fit);
            w.WriteStartArray("candidates");
            foreach (var r in results)
            {
                w.WriteStartObject();
                w.WriteStartObject("parameters");
                foreach (var (k, v) in r.Parameters.OrderBy(p => p.Key, StringComparer.Ordinal)) w.WriteString(k, v);
                w.WriteEndObject();
                w.WriteBoolean("within_max_drawdown", r.WithinDrawdown);
                Metrics(w, "fit", r.Fit, money, objective, lambda);
                if (r.Test is { } t) Metrics(w, "test", t, money, objective, lambda);
                w.WriteEndObject();
            }
            w.WriteEndArray();
            w.WriteEndObject();
        }
        return Encoding.UTF8.GetString(stream.ToArray()) + "\n";
    }

    private static void Metrics(Utf8JsonWriter w, string name, BacktestMetrics m, MoneyScale money, string objective, double lambda)
    {
        w.WriteStartObject(name);
        w.WriteNumber("objective", Math.Round(Tuner.Objective(m, objective, money, lambda), 6));
        w.WriteNumber("objective_per_hour", Math.Round(Tuner.ObjectivePerHour(m, objective, money, lambda), 6));
        w.WriteNumber("span_s", m.SpanNs / 1e9);
        w.WriteNumber("cvar95_loss_per_interval", Math.Round(m.CVaR95Loss, 6));
        w.WriteString("pnl", money.ToText(m.TotalPnl));
        w.WriteString("fees", money.ToText(m.Fees));
        w.WriteString("max_drawdown", money.ToText(m.MaxDrawdown));
        w.WriteNumber("sharpe", double.IsFinite(m.Sharpe) ? Math.Round(m.Sharpe, 6) : 0);
        w.WriteNumber("fills", m.Fills);
        w.WriteEndObject();
    }

    private static string Html(BacktestSpec spec, string objective, double lambda, MoneyScale money, List<TuneResult> results)
    {
        var sb = new StringBuilder($"<h1>Tune: {WebUtility.HtmlEncode(spec.Strategy)} on {WebUtility.HtmlEncode(spec.Symbol)}</h1>\n");
        var tested = results.Where(r => r.Test is not null).ToList();
        string unit = objective == "sharpe" ? "sharpe" : $"{objective} per hour";
        sb.Append(Charts.Bars($"Fitted against tested {unit} (walk-forward, each span per hour of its own length): the gap is over-fitting", "candidate (rank)", unit,
            tested.Select((_, i) => (i + 1).ToString(CultureInfo.InvariantCulture)).ToList(),
            [new BarSeries("fitted", tested.Select(r => Tuner.ObjectivePerHour(r.Fit, objective, money, lambda)).ToList()), new BarSeries("tested", tested.Select(r => Tuner.ObjectivePerHour(r.Test!, objective, money, lambda)).ToList())]));
        sb.Append("<table><tr><th>rank</th><th class=\"l\">parameters</th><th>fit pnl</th><th>test pnl</th><th>fit sharpe</th><th>test sharpe</th><th>fit drawdown</th></tr>\n");
        int rank = 0;
        foreach (var r in results)
            sb.Append(string.Create(CultureInfo.InvariantCulture,
                $"<tr><td>{++rank}</td><td class=\"l\">{WebUtility.HtmlEncode(r.Key)}</td><td>{money.ToText(r.Fit.TotalPnl)}</td><td>{(r.Test is { } t ? money.ToText(t.TotalPnl) : "-")}</td><td>{r.Fit.Sharpe:F3}</td><td>{(r.Test is { } t2 ? t2.Sharpe.ToString("F3", CultureInfo.InvariantCulture) : "-")}</td><td>{money.ToText(r.Fit.MaxDrawdown)}</td></tr>\n"));
        sb.Append("</table>\n");
        return Charts.Page($"Tune: {spec.Strategy}", sb.ToString());
    }
}
