using System.CommandLine;
using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using TickEngine.Cli.CommandLine;
using TickEngine.Cli.Reports;
using TickEngine.Engine.Ingest;
using TickEngine.Engine.Replay;
using TickEngine.Engine.Research;
using TickEngine.Storage.Format;
using TickEngine.Storage.Numerics;

namespace TickEngine.Cli.Commands;

/// <summary><c>analyze</c>: a microstructure report of one instrument over a session or a time range (<see cref="MicrostructureAnalysis"/>).</summary>
public static class AnalyzeCommand
{
    public const string Summary = "microstructure of a session or time range: spreads (quoted, effective, realized), volatility, order-flow imbalance, intensity, sizes, VWAP, depth, Kyle's lambda, quote-to-trade";

    public static Command Build(CliContext ctx)
    {
        var cmd = Verb.Create("analyze", Summary, """
            Replays one instrument's book (deltas, else L2 samples) and trades in exchange-time order. The book is
            sampled every --sample (as it stood before the first event at or after the instant): quoted spread (price
            and bp of the mid), depth at the touch and within --depth-ticks ticks, the mid's log returns (realized
            volatility per interval, in bp), Cont-Kukanov-Stoikov order-flow imbalance of the best levels. Each trade
            with a book in sync gives its effective spread 2*side*(price-mid)/mid and, --horizon later, its realized
            spread (price impact is their difference). Kyle's lambda is the OLS slope of the mid's change on signed
            volume per sample step. Once no event has come for --max-quiet (60 s) nothing is sampled until the next
            (a closed market, a silent feed: counted, never filled in). Trades: count, intensity, volume by aggressor, size distribution, VWAP (exact).
            Quote-to-trade: changes of the best bid or ask per trade, and book messages per trade. Figures per
            --interval and over the whole; no interval is made where the data has none. --compare-session or
            --compare-start/--compare-end adds a second period side by side. Writes analyze.json and analyze.html
            (charts drawn by the inlined uPlot, offline) to --out.

            Examples:
              tickengine analyze --data data --session session_20261207_230745 --out reports/analyze
              tickengine analyze --data data --symbol BTCUSDT --start 2024-08-08T00:00:00Z --end 2024-08-08T01:00:00Z --json
            """);
        var data = Vocabulary.Data("the data root");
        var symbol = Vocabulary.Symbol("the instrument (one; the session's first when --session names several)");
        var exchange = Vocabulary.Exchange("its exchange, when the symbol is recorded on several");
        var session = Vocabulary.Text("--session", "a session's time range, exchange and symbols (tickengine sessions list)", "ID");
        var start = Vocabulary.Time("--start", "first instant (epoch ms or ISO-8601)");
        var end = Vocabulary.Time("--end", "up to this instant (exclusive)");
        var interval = Vocabulary.Duration("--interval", "the report's interval (default 1m)");
        var sample = Vocabulary.Duration("--sample", "how often the book is sampled (default 1s)");
        var horizon = Vocabulary.Duration("--horizon", "realized spread's horizon (default 5s)");
        var quiet = Vocabulary.Duration("--max-quiet", "no sample is taken once no event has come for this long (default 60s): a closed market or a silent feed makes no rows");
        var ticks = Vocabulary.Int("--depth-ticks", "depth within N ticks of the touch", 10, 0, 100_000);
        var tick = Vocabulary.Text("--tick", "the instrument's tick (default: inferred from its stored prices)", "PRICE");
        var compareSession = Vocabulary.Text("--compare-session", "a second session to compare with", "ID");
        var compareStart = Vocabulary.Time("--compare-start", "a second period to compare with: its start");
        var compareEnd = Vocabulary.Time("--compare-end", "... and its end");
        var output = Vocabulary.Text("--out", "folder for analyze.json and analyze.html", "DIR");
        var json = Vocabulary.Json();
        data.AddTo(cmd); symbol.AddTo(cmd); exchange.AddTo(cmd);
        foreach (var o in new Option[] { session, start, end, interval, sample, horizon, quiet, ticks, tick, compareSession, compareStart, compareEnd, output, json }) cmd.Options.Add(o);
        cmd.SetAction(r =>
        {
            string root = data.Get(r, ctx.Error) ?? throw new UsageException("--data is required: the data root");
            if (!Directory.Exists(root)) throw new UsageException($"--data {root}: no such directory");
            long everyNs = (long)(r.GetValue(interval) ?? TimeSpan.FromMinutes(1)).TotalNanoseconds;
            long sampleNs = (long)(r.GetValue(sample) ?? TimeSpan.FromSeconds(1)).TotalNanoseconds;
            long horizonNs = (long)(r.GetValue(horizon) ?? TimeSpan.FromSeconds(5)).TotalNanoseconds;
            if (everyNs <= 0 || sampleNs <= 0 || horizonNs < 0) throw new UsageException("--interval and --sample must be above 0, --horizon at least 0");
            if (sampleNs > everyNs) throw new UsageException("--sample must not be longer than --interval");
            long quietNs = (long)(r.GetValue(quiet) ?? TimeSpan.FromSeconds(60)).TotalNanoseconds;
            if (quietNs <= 0) throw new UsageException("--max-quiet must be above 0");
            var symbols = symbol.Get(r, ctx.Error);
            var exchanges = exchange.Get(r, ctx.Error);
            (long From, long To, IReadOnlyList<string>? Exchanges, string[]? Symbols) Period(string? sid, long? s, long? e, string what)
            {
                if (sid is not null)
                {
                    if (s is not null || e is not null) throw new UsageException($"give {what} as a session or as --start/--end, not both");
                    var (a, b, x, y) = SessionsCommand.Range(root, sid);
                    return (a, b, exchanges ?? x, symbols ?? y.ToArray());
                }
                long from = s ?? long.MinValue, to = e ?? long.MaxValue;
                if (to <= from) throw new UsageException("the end must be after the start");
                return (from, to, exchanges, symbols);
            }
            var main = Period(r.GetValue(session), r.GetValue(start), r.GetValue(end), "the period");
            var first = Analyze(ctx, root, main, everyNs, sampleNs, horizonNs, quietNs, r.GetValue(ticks), r.GetValue(tick), r.GetValue(session));
            JsonObject? second = null;
            if (r.GetValue(compareSession) is not null || r.GetValue(compareStart) is not null || r.GetValue(compareEnd) is not null)
            {
                var other = Period(r.GetValue(compareSession), r.GetValue(compareStart), r.GetValue(compareEnd), "the comparison");
                second = Analyze(ctx, root, other, everyNs, sampleNs, horizonNs, quietNs, r.GetValue(ticks), r.GetValue(tick), r.GetValue(compareSession));
            }
            var doc = new JsonObject { ["report"] = "microstructure", ["period"] = first };
            if (second is not null) doc["compare"] = second;
            string jsonText = doc.ToJsonString(new System.Text.Json.JsonSerializerOptions { WriteIndented = true });
            if (r.GetValue(output) is { } dir)
            {
                Directory.CreateDirectory(dir);
                File.WriteAllText(Path.Combine(dir, "analyze.json"), jsonText);
                File.WriteAllText(Path.Combine(dir, "analyze.html"), Html(first, second));
            }
            if (r.GetValue(json)) ctx.Out.Write(jsonText);
            else Print(ctx, first, second, r.GetValue(output));
            return 0;
        });
        return cmd;
    }

    private static JsonObject Analyze(CliContext ctx, string root, (long From, long To, IReadOnlyList<string>? Exchanges, string[]? Symbols) p,
        long everyNs, long sampleNs, long horizonNs, long quietNs, int depthTicks, string? tickText, string? sessionId)
    {
        var symbols = p.Symbols;
        if (symbols is { Length: > 1 } && sessionId is not null) symbols = [symbols[0]];
        if (symbols is not { Length: 1 }) throw new UsageException("--symbol is required: one instrument (or a --session of one)");
        var selection = new ReplaySelection
        {
            Root = root,
            Symbols = symbols,
            Exchanges = p.Exchanges?.ToArray(),
            Schemas = new HashSet<SchemaKind> { SchemaKind.Deltas, SchemaKind.Status, SchemaKind.Trades },
            EndNs = p.To, // from the data's start: the book at the period's start is whole only when its snapshot is replayed
            Damage = DamagePolicy.Report,
        };
        (var book, selection) = BookInput.Find(selection, p.From);
        long tickMantissa;
        if (tickText is not null)
        {
            if (!FixedDecimal.TryParse(tickText.AsSpan().Trim(), book.PriceScale, out tickMantissa, out var err)) throw new UsageException($"--tick: {FixedDecimal.Describe(err, tickText, book.PriceScale)}");
            if (tickMantissa <= 0) throw new UsageException("--tick must be above 0");
        }
        else tickMantissa = Math.Max(1, BacktestRunner.InferGrid(selection, book.PriceScale, book.QuantityScale, ctx.Cancel).Tick);
        var registry = new InstrumentRegistry();
        var inst = registry.GetOrAdd(book.Exchange, book.Symbol, book.PriceScale, book.QuantityScale);
        var analysis = new MicrostructureAnalysis(inst.Id, book.PriceScale, book.QuantityScale, everyNs, sampleNs, horizonNs, depthTicks, tickMantissa, p.From, p.To, quietNs)
        {
            SampleBook = book.FromSamples ? new L2SampleBook(book.SampleDepth) : null,
        };
        using var reader = new ReplayReader(selection);
        var replay = ReplayToRing.Run(reader, registry, analysis, cancel: ctx.Cancel);
        if (replay.Stopped is { } stopped) throw stopped;
        if (ctx.Cancel.IsCancellationRequested) throw new InputException("stopped by Ctrl+C or SIGTERM: the analysis is incomplete");
        if (reader.Damage.Count > 0) throw new InputException($"damaged segment: {reader.Damage[0].Message}");
        return MicrostructureReport.Json(analysis, book.Exchange, book.Symbol, book.FromSamples ? $"L2 samples (top {book.SampleDepth})" : "deltas", sessionId, p.From, p.To);
    }

    private static string F(JsonNode? n, string format = "0.####") => n is JsonValue v && v.TryGetValue<double>(out double d) ? d.ToString(format, CultureInfo.InvariantCulture) : n?.ToString() ?? "-";

    private static void Print(CliContext ctx, JsonObject a, JsonObject? b, string? outDir)
    {
        var t = a["totals"]!.AsObject();
        var tb = b?["totals"]?.AsObject();
        ctx.Out.WriteLine($"analyze: {a["exchange"]}/{a["symbol"]} {a["from"]} .. {a["to"]}, book from {a["book"]}, {a["intervals"]!.AsArray().Count} intervals of {a["interval_s"]} s");
        ctx.Out.WriteLine($"{"metric",-34} {"value",18}{(tb is not null ? $" {"compare",18}" : "")}");
        foreach (var (k, v) in t)
            ctx.Out.WriteLine($"{k,-34} {F(v),18}{(tb is not null ? $" {F(tb[k]),18}" : "")}");
        if (outDir is not null) ctx.Out.WriteLine($"analyze: wrote {Path.Combine(outDir, "analyze.json")} and analyze.html");
    }

    private static string Html(JsonObject a, JsonObject? b)
    {
        var sb = new StringBuilder();
        string title = $"Microstructure: {a["exchange"]}/{a["symbol"]}";
        sb.Append($"<h1>{WebUtility.HtmlEncode(title)}</h1><p>{WebUtility.HtmlEncode($"{a["from"]} .. {a["to"]}")}, book from {WebUtility.HtmlEncode(a["book"]!.ToString())}" +
                  $"{(a["session"] is { } s ? $", session {WebUtility.HtmlEncode(s.ToString())}" : "")}; sampled every {a["sample_s"]} s, intervals of {a["interval_s"]} s, realized spread at {a["horizon_s"]} s.</p>");
        sb.Append("<table><tr><th class=l>metric</th><th>value</th>").Append(b is not null ? "<th>compare</th>" : "").Append("</tr>");
        var tb = b?["totals"]?.AsObject();
        foreach (var (k, v) in a["totals"]!.AsObject())
            sb.Append($"<tr><td class=l>{WebUtility.HtmlEncode(k)}</td><td>{WebUtility.HtmlEncode(F(v))}</td>{(tb is not null ? $"<td>{WebUtility.HtmlEncode(F(tb[k]))}</td>" : "")}</tr>");
        sb.Append("</table>");
        var rows = a["intervals"]!.AsArray().Select(x => x!.AsObject()).ToList();
        double T(JsonObject o) => (long)o["start_ns"]! / 1e9;
        List<(double, double)> Series(string key) => rows.Where(o => o[key] is JsonValue v && v.TryGetValue<double>(out _)).Select(o => (T(o), (double)o[key]!)).ToList();
        sb.Append(Charts.Lines("Mid and VWAP per interval", "time (UTC)", "price", [new ChartSeries("mid (last sample)", Series("mid_last")), new ChartSeries("VWAP", Series("vwap"))]));
        sb.Append(Charts.Lines("Spreads per interval", "time (UTC)", "bp of the mid",
            [new ChartSeries("quoted", Series("quoted_spread_bps")), new ChartSeries("effective", Series("effective_spread_bps")), new ChartSeries("realized", Series("realized_spread_bps"))]));
        sb.Append(Charts.Lines("Mid volatility per interval (realized, from the samples' log returns)", "time (UTC)", "bp", [new ChartSeries("volatility", Series("volatility_bps"))]));
        sb.Append(Charts.Lines("Order-flow imbalance per interval", "time (UTC)", "quantity",
            [new ChartSeries("book OFI (best levels)", Series("ofi")), new ChartSeries("trade imbalance (buy − sell volume)", Series("trade_imbalance"))]));
        sb.Append(Charts.Lines("Trade intensity", "time (UTC)", "trades per second", [new ChartSeries("trades/s", Series("trades_per_s"))]));
        sb.Append(Charts.Lines("Depth", "time (UTC)", "quantity", [new ChartSeries("at the touch (both sides)", Series("depth_touch")), new ChartSeries($"within {a["depth_ticks"]} ticks", Series("depth_within"))]));
        var hist = a["size_histogram"]!.AsArray().Select(x => x!.AsObject()).ToList();
        sb.Append(Charts.Bars("Trade sizes (counts per size band)", "size", "trades", hist.Select(h => h["band"]!.ToString()).ToList(),
            [new BarSeries("trades", hist.Select(h => (double)(long)h["count"]!).ToList())]));
        return Charts.Page(title, sb.ToString());
    }
}
