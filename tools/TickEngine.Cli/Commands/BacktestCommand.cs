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
            per-interval PnL (--interval, a minute by default) over a 365-day year. Writes report.json and report.html (SVG charts) to --out.

            Strategies and their parameters (--param k=v, repeatable), with their defaults:
            """ + string.Concat(StrategyRegistry.All.Select(k => $"\n  {k.Name,-10} {string.Join(" ", k.Parameters.Select(p => $"{p.Name}={p.Default}"))}\n             {k.Summary}")) + """


            Examples:
              tickengine backtest --data data --symbol BTCUSDT --strategy imbalance --out reports/imbalance
              tickengine backtest --data data --symbol BTCUSDT --strategy mm --param spread_bps=4 --queue-model power2 --latency-ms 5 --out reports/mm
            """);
        var options = new BacktestOptions(cmd);
        var output = Vocabulary.Text("--out", "folder for report.json and report.html", "DIR");
        var json = Vocabulary.Json();
        cmd.Options.Add(output); cmd.Options.Add(json);
        cmd.SetAction(r =>
        {
            var spec = options.Spec(r, ctx);
            var wall = Stopwatch.StartNew();
            long lastReport = 0, total = BacktestRunner.Rows(spec);
            string? dirOut = r.GetValue(output);
            StreamWriter? ledger = null;
            if (dirOut is not null)
            {
                Directory.CreateDirectory(dirOut);
                ledger = new StreamWriter(Path.Combine(dirOut, "fills.csv"), false, new System.Text.UTF8Encoding(false), 1 << 16);
                ledger.Write("exchange_time_ns,time,order_id,side,price,quantity,maker,fee,position,average_entry,realized,unrealized,fees,equity\n");
            }
            var (_, ps0, qs0) = BacktestRunner.Instrument(spec);
            var m0 = new MoneyScale(ps0, qs0);
            Action<Fill, Portfolio>? write = ledger is null ? null : (f, p) => ledger.Write(string.Create(CultureInfo.InvariantCulture,
                $"{f.TimeNs},{TimeText.FormatIso(f.TimeNs)},{f.OrderId},{(f.Side == OrderSide.Buy ? "buy" : "sell")},{FixedDecimal.ToString(f.Price, ps0)},{FixedDecimal.ToString(f.Quantity, qs0)},{(f.Maker ? 1 : 0)},{m0.ToText(f.Fee)},{FixedDecimal.ToString(p.Position, qs0)},{(p.AverageEntry is { } a ? m0.PerUnit(a.Cost, a.Quantity, ps0 + 4) : "")},{m0.ToText(p.Realized)},{m0.ToText(p.Unrealized)},{m0.ToText(p.Fees)},{m0.ToText(p.Equity)}\n"));
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
                }, write);
            }
            finally { ledger?.Dispose(); }
            var (run, events, damaged) = result;
            var metrics = BacktestMetrics.Of(run);
            var (exchange, _, _) = BacktestRunner.Instrument(spec);
            var doc = new BacktestDocument(spec, exchange, run, metrics, events, damaged);
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
                var money = run.Portfolio.Money;
                ctx.Out.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"backtest: {spec.Strategy} on {exchange}/{spec.Symbol}: {events:N0} events in {wall.Elapsed.TotalSeconds:F2} s ({events / Math.Max(1e-9, wall.Elapsed.TotalSeconds):N0}/s)"));
                ctx.Out.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"  PnL {money.ToText(m.TotalPnl)} (realized {money.ToText(m.Realized)}, unrealized {money.ToText(m.Unrealized)}, fees {money.ToText(m.Fees)}), max drawdown {money.ToText(m.MaxDrawdown)}"));
                ctx.Out.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"  Sharpe {m.Sharpe:F3}, Sortino {m.Sortino:F3}, orders {m.OrdersSent:N0}, fills {m.Fills:N0} (maker {m.MakerFills:N0}), fill rate {m.FillRate:P1}, hit rate {m.HitRate:P1}"));
                if (r.GetValue(output) is { } d) ctx.Out.WriteLine($"backtest: wrote {Path.Combine(d, "report.json")} and report.html");
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
        });
        return cmd;
    }
}

/// <summary>The options backtest and tune share: data, instrument, strategy, parameters, queue model, latency, fees, period.</summary>
public sealed class BacktestOptions
{
    private readonly Spelled<string?> _data = Vocabulary.Data("the data root");
    private readonly Spelled<string[]> _symbol = Vocabulary.Symbol("the instrument (one)");
    private readonly Spelled<string[]> _exchange = Vocabulary.Exchange("its exchange, when the symbol is recorded on several");
    private readonly Option<string?> _strategy = Vocabulary.Text("--strategy", string.Join(" or ", StrategyRegistry.Names), "S");
    private readonly Option<string[]> _param = new("--param") { Description = "a strategy parameter k=v (repeatable); tune: k=a..b", HelpName = "K=V", AllowMultipleArgumentsPerToken = false };
    private readonly Option<string> _queue = new("--queue-model") { Description = "risk-averse (default), power1, power2, power3 or log", HelpName = "M", DefaultValueFactory = _ => "risk-averse" };
    private readonly Option<double?> _latency = Vocabulary.Number("--latency-ms", "order-entry latency (default 0)", 0, 60_000, "MS");
    private readonly Option<double?> _cancelLatency = Vocabulary.Number("--cancel-latency-ms", "cancel latency (default: --latency-ms)", 0, 60_000, "MS");
    private readonly Option<string?> _hgrm = Vocabulary.Text("--latency-hgrm", "draw entry and cancel latency from an HdrHistogram .hgrm file (values in microseconds)", "FILE");
    private readonly Option<bool> _recorded = Vocabulary.Flag("--latency-recorded", "draw entry and cancel latency from the recording's own receive - exchange times");
    private readonly Option<int> _latencySeed = Vocabulary.Int("--latency-seed", "seed of drawn latencies", 1, int.MinValue, int.MaxValue);
    private readonly Option<double?> _maker = Vocabulary.Number("--maker-bps", "maker fee in bp, negative = rebate (default: the venue's base tier)", -100, 100, "BP");
    private readonly Option<double?> _taker = Vocabulary.Number("--taker-bps", "taker fee in bp (default: the venue's base tier)", -100, 100, "BP");
    private readonly Option<long?> _start = Vocabulary.Time("--start", "first order time (epoch ms or ISO-8601); the book is built from the data's start");
    private readonly Option<long?> _end = Vocabulary.Time("--end", "end of the run (exclusive)");
    private readonly Option<TimeSpan?> _interval = Vocabulary.Duration("--interval", "equity interval for the curve, Sharpe, Sortino and CVaR (default 1m)");

    public BacktestOptions(Command cmd)
    {
        _data.AddTo(cmd); _symbol.AddTo(cmd); _exchange.AddTo(cmd);
        foreach (var o in new Option[] { _strategy, _param, _queue, _latency, _cancelLatency, _hgrm, _recorded, _latencySeed, _maker, _taker, _start, _end, _interval }) cmd.Options.Add(o);
    }

    public string[] RawParameters(ParseResult r) => r.GetValue(_param) ?? [];

    /// <summary>The most equity points one backtest keeps.</summary>
    public const long MaxEquityPoints = 5_000_000;

    public BacktestSpec Spec(ParseResult r, CliContext ctx, bool parametersAreRanges = false)
    {
        string root = _data.Get(r, ctx.Error) ?? throw new UsageException("--data is required: the data root");
        if (!Directory.Exists(root)) throw new UsageException($"--data {root}: no such directory");
        var symbols = _symbol.Get(r, ctx.Error);
        if (symbols is not { Length: 1 }) throw new UsageException("--symbol is required: one instrument");
        string strategy = r.GetValue(_strategy) ?? throw new UsageException($"--strategy is required: {string.Join(" or ", BacktestRunner.Strategies)}");
        if (!BacktestRunner.Strategies.Contains(strategy)) throw new UsageException($"--strategy must be {string.Join(" or ", BacktestRunner.Strategies)}, got '{strategy}'");
        var parameters = new Dictionary<string, string>(StringComparer.Ordinal);
        if (!parametersAreRanges)
            foreach (var p in RawParameters(r))
            {
                int eq = p.IndexOf('=');
                if (eq <= 0) throw new UsageException($"--param {p}: give name=value");
                parameters[p[..eq].Trim()] = p[(eq + 1)..].Trim();
            }
        try { QueueModel.Parse(r.GetValue(_queue)!); } catch (ArgumentException e) { throw new UsageException($"--queue-model: {e.Message}"); }
        long from = r.GetValue(_start) ?? long.MinValue, to = r.GetValue(_end) ?? long.MaxValue;
        if (to <= from) throw new UsageException("--end must be after --start");
        double entry = r.GetValue(_latency) ?? 0;
        Engine.Venues.FeeSchedule? fees = null;
        if (r.GetValue(_maker) is { } mk || r.GetValue(_taker) is not null)
        {
            try { fees = Engine.Venues.FeeSchedule.FromBps((decimal)(r.GetValue(_maker) ?? 0), (decimal)(r.GetValue(_taker) ?? 0)); }
            catch (ArgumentException e) { throw new UsageException(e.Message); }
        }
        var spec = new BacktestSpec
        {
            Root = root, Symbol = symbols[0], Exchange = _exchange.Get(r, ctx.Error) is { Length: > 0 } x ? x[0] : null, Strategy = strategy,
            Parameters = parameters, QueueModel = r.GetValue(_queue)!, EntryLatencyNs = (long)(entry * 1e6),
            CancelLatencyNs = (long)((r.GetValue(_cancelLatency) ?? entry) * 1e6), Fees = fees, StartNs = from, EndNs = to,
            SampleNs = (long)(r.GetValue(_interval) ?? TimeSpan.FromMinutes(1)).TotalNanoseconds,
            LatencyHgrm = r.GetValue(_hgrm), LatencyFromRecording = r.GetValue(_recorded), LatencySeed = r.GetValue(_latencySeed),
        };
        if (spec.LatencyHgrm is { } h && !File.Exists(h)) throw new UsageException($"--latency-hgrm {h}: no such file");
        if (spec.LatencyHgrm is not null && spec.LatencyFromRecording) throw new UsageException("give one of --latency-hgrm and --latency-recorded");
        if (spec.SampleNs <= 0) throw new UsageException("--interval must be above 0");
        // Bounded memory whatever --interval says: the equity points the data's span makes, checked before any is made.
        if (BacktestRunner.Span(spec) is { } span && span.Last > span.First && (span.Last - span.First) / spec.SampleNs + 1 > MaxEquityPoints)
            throw new UsageException($"--interval {spec.SampleNs / 1e9:0.#########} s over the {(span.Last - span.First) / 1e9:N0} s of data makes {(span.Last - span.First) / spec.SampleNs + 1:N0} equity points; at most {MaxEquityPoints:N0}: give a longer --interval");
        try
        {
            var (_, ps, qs) = BacktestRunner.Instrument(spec);
            if (!parametersAreRanges) BacktestRunner.CreateStrategy(strategy, parameters, ps, qs); // parameter errors now, not mid-run
            BacktestRunner.Latency(spec, BacktestRunner.Instrument(spec).Exchange);
        }
        catch (Exception e) when (e is ArgumentException or FormatException or IOException) { throw new UsageException(e.Message); }
        // A data root with no book of the instrument is bad data (exit 1), as slippage says it: BookSourceException.
        return spec;
    }
}
