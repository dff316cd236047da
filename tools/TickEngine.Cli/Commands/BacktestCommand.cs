using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using TickEngine.Cli.CommandLine;
using TickEngine.Cli.Reports;
using TickEngine.Engine.Research;
using TickEngine.Storage.Numerics;

namespace TickEngine.Cli.Commands;

/// <summary><c>backtest</c>: a strategy over recorded books and trades through the simulated exchange; a JSON and HTML report.</summary>
public static class BacktestCommand
{
    public const string Summary = "a strategy (imbalance, mm) over recorded books through a simulated exchange: exact PnL, risk figures, a report";

    public static Command Build(CliContext ctx)
    {
        var cmd = Verb.Create("backtest", Summary, """
            The instrument's deltas, trades and status markers are replayed through the ring into a simulated exchange
            (full book; market orders walk it; limit orders queue by --queue-model; no fill on a book out of sync) and
            the strategy, which decides at each event's receive time; the exchange acts at exchange time after the
            latency. PnL, fees and drawdown are exact (quote currency); Sharpe and Sortino are annualised from
            per-interval PnL (--interval, a minute by default) over a 365-day year. Writes report.json and report.html (charts drawn by the inlined uPlot, offline) to --out.

            Strategies and their parameters (--param k=v, repeatable), with their defaults:
            """ + string.Concat(StrategyRegistry.All.Select(k => $"\n  {k.Name,-10} {string.Join(" ", k.Parameters.Select(p => $"{p.Name}={p.Default}"))}\n             {k.Summary}")) + """


            Examples:
              tickengine backtest --data data --symbol BTCUSDT --strategy imbalance --out reports/imbalance
              tickengine backtest --data data --symbol BTCUSDT --strategy mm --param spread_bps=4 --queue-model power2 --latency-ms 5 --out reports/mm
              tickengine backtest --synthetic --seed 7 --duration 6h --strategy research-mm --out reports/synthetic
            """);
        var options = new BacktestOptions(cmd);
        var output = Vocabulary.Text("--out", "folder for report.json and report.html", "DIR");
        var record = Vocabulary.Text("--record", "also write the research record: market snapshots and order events as hourly Parquet files under DIR/snapshots and DIR/orders", "DIR");
        var recordEvery = Vocabulary.Duration("--record-every", "snapshot interval of --record (default 1s)");
        cmd.Options.Add(record); cmd.Options.Add(recordEvery);
        var json = Vocabulary.Json();
        cmd.Options.Add(output); cmd.Options.Add(json);
        cmd.SetAction(r =>
        {
            try { return Run(r); }
            finally { options.CleanUp(); }
        });
        return cmd;

        int Run(ParseResult r)
        {
            var spec = options.Spec(r, ctx);
            if (r.GetValue(recordEvery) is not null && r.GetValue(record) is null) throw new UsageException("--record-every sets the interval of --record: give --record DIR");
            if (r.GetValue(record) is { } recordDir)
            {
                if (File.Exists(recordDir)) throw new UsageException($"--record {recordDir}: is a file, not a folder");
                spec = spec with { RecordDir = recordDir, RecordEveryNs = (long)(r.GetValue(recordEvery) ?? TimeSpan.FromSeconds(1)).TotalNanoseconds };
            }
            var wall = Stopwatch.StartNew();
            long lastReport = 0, total = BacktestRunner.Rows(spec);
            string? dirOut = r.GetValue(output);
            StreamWriter? ledger = null;
            if (dirOut is not null)
            {
                Directory.CreateDirectory(dirOut);
                ledger = new StreamWriter(Path.Combine(dirOut, "fills.csv"), false, new System.Text.UTF8Encoding(false), 1 << 16);
                ledger.Write("exchange_time_ns,time,order_id,side,price,quantity,maker,fee,position,average_entry,realized,unrealized,fees,equity,market\n");
            }
            // One row per fill, the instrument's own portfolio after it (at its scales), and which instrument.
            Action<BacktestLeg, Fill>? write = ledger is null ? null : (leg, f) =>
            {
                var p = leg.Portfolio;
                var m0 = p.Money;
                int ps0 = m0.PriceScale, qs0 = m0.QuantityScale;
                ledger.Write(string.Create(CultureInfo.InvariantCulture,
                    $"{f.TimeNs},{TimeText.FormatIso(f.TimeNs)},{f.OrderId},{(f.Side == OrderSide.Buy ? "buy" : "sell")},{FixedDecimal.ToString(f.Price, ps0)},{FixedDecimal.ToString(f.Quantity, qs0)},{(f.Maker ? 1 : 0)},{m0.ToText(f.Fee)},{FixedDecimal.ToString(p.Position, qs0)},{(p.AverageEntry is { } a ? m0.PerUnit(a.Cost, a.Quantity, ps0 + 4) : "")},{m0.ToText(p.Realized)},{m0.ToText(p.Unrealized)},{m0.ToText(p.Fees)},{m0.ToText(p.Equity)},{leg.Market}\n"));
            };
            (Backtest run, long events, int damaged) result;
            try
            {
                result = BacktestRunner.Run(spec, ctx.Cancel, r.GetValue(json) ? null : n =>
                {
                    if (wall.ElapsedMilliseconds - lastReport < 1000) return;
                    lastReport = wall.ElapsedMilliseconds;
                    double share = total > 0 ? Math.Min(1, (double)n / total) : 0;
                    int bars = (int)(share * 30);
                    ctx.Error.WriteLine($"backtest: [{new string('#', bars)}{new string('.', 30 - bars)}] {share:P0} {n:N0} of {total:N0} rows, {n / wall.Elapsed.TotalSeconds:N0} events/s");
                }, legLedger: write);
            }
            finally { ledger?.Dispose(); }
            var (run, events, damaged) = result;
            var metrics = BacktestMetrics.Of(run);
            var (exchange, _, _) = BacktestRunner.Instrument(spec);
            var doc = new BacktestDocument(spec, exchange, run, metrics, events, damaged) { SyntheticSeed = options.SyntheticSeed(r) };
            string text = doc.Json();
            if (r.GetValue(output) is { } dir)
            {
                Directory.CreateDirectory(dir);
                File.WriteAllText(Path.Combine(dir, "report.json"), text);
                File.WriteAllText(Path.Combine(dir, "report.html"), doc.Html());
            }
            if (r.GetValue(json)) ctx.Out.Write(text);
            else
            {
                var m = metrics;
                var money = run.Money;
                ctx.Out.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"backtest: {spec.Strategy} on {exchange}/{spec.Symbol}: {events:N0} events in {wall.Elapsed.TotalSeconds:F2} s ({events / Math.Max(1e-9, wall.Elapsed.TotalSeconds):N0}/s)"));
                ctx.Out.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"  PnL {money.ToText(m.TotalPnl)} (realized {money.ToText(m.Realized)}, unrealized {money.ToText(m.Unrealized)}, fees {money.ToText(m.Fees)}), max drawdown {money.ToText(m.MaxDrawdown)}"));
                ctx.Out.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"  Sharpe {m.Sharpe:F3}, Sortino {m.Sortino:F3}, orders {m.OrdersSent:N0}, fills {m.Fills:N0} (maker {m.MakerFills:N0}), fill rate {m.FillRate:P1}, hit rate {m.HitRate:P1}"));
                if (r.GetValue(output) is { } d) ctx.Out.WriteLine($"backtest: wrote {Path.Combine(d, "report.json")} and report.html");
                if (spec.RecordDir is { } rd) ctx.Out.WriteLine($"backtest: research record in {Path.Combine(rd, "snapshots")} and {Path.Combine(rd, "orders")} (hourly Parquet)");
            }
            if (ctx.Cancel.IsCancellationRequested)
            {
                ctx.Error.WriteLine("tickengine backtest: stopped by Ctrl+C or SIGTERM: the results cover the data up to there");
                return 1;
            }
            if (damaged > 0)
            {
                var damage = BacktestRunner.Verify(spec, ctx.Cancel);
                ctx.Error.WriteLine($"tickengine backtest: error: {damaged} damaged segment{(damaged == 1 ? "" : "s")} met: {(damage.Count > 0 ? damage[0].Message : "see inspect")}; " +
                    "the book is out of sync from the damage to the next snapshot, and the results cover only what could be read");
                return 1;
            }
            return 0;
        }
    }
}
