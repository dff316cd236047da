using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using TickEngine.Cli.CommandLine;
using TickEngine.Cli.Reports;
using TickEngine.Engine.Events;
using TickEngine.Engine.Ingest;
using TickEngine.Engine.Replay;
using TickEngine.Engine.Research;
using TickEngine.Engine.Ring;
using TickEngine.Storage.Format;
using TickEngine.Storage.Numerics;
using TickEngine.Storage.Reading;

namespace TickEngine.Cli.Commands;

/// <summary>
/// <c>slippage</c>: what market orders of given sizes would have cost over a recorded period, from the full book
/// rebuilt from stored deltas, through the replay path and the ring (<see cref="SlippageAnalysis"/>).
/// </summary>
public static class SlippageCommand
{
    public const string Summary = "what market orders of given sizes would have cost, from the recorded full book: distribution, by hour, size-vs-cost";

    public static Command Build(CliContext ctx)
    {
        var cmd = Verb.Create("slippage", Summary, """
            At every --every of exchange time a market order of each size is decided on the book as it stood (its mid
            is the arrival price) and walks the book, level by level, as it stood after --latency-ms. Slippage is in bp
            against the mid at execution and against the arrival price, and in quote currency (exact). A book out of
            sync (a stored gap, until the next snapshot) gives no sample; a book that cannot absorb a size gives a
            partial one, counted. Writes slippage.json and slippage.html (charts drawn by the inlined uPlot, viewable offline) to --out.

            Examples:
              tickengine slippage --data data --symbol BTCUSDT --sizes 0.01,0.1,1,10 --out reports/slippage
              tickengine slippage --data data --symbol BTCUSDT --sizes 1 --side buy --every 1s --latency-ms 5 --json
            """);
        var data = Vocabulary.Data("the data root");
        var symbol = Vocabulary.Symbol("the instrument (one)");
        var exchange = Vocabulary.Exchange("its exchange, when the symbol is recorded on several");
        var sizes = Vocabulary.List("--sizes", "order sizes in base units, exact decimals", "Q[,Q...]");
        var side = new Option<string>("--side") { Description = "buy, sell or both (default)", HelpName = "buy|sell|both", DefaultValueFactory = _ => "both" };
        side.AcceptOnlyFromAmong("buy", "sell", "both");
        var start = Vocabulary.Time("--start", "first instant (epoch ms or ISO-8601)");
        var end = Vocabulary.Time("--end", "up to this instant (exclusive)");
        var every = Vocabulary.Duration("--every", "sampling interval of exchange time (default 1m)");
        var latencyMs = Vocabulary.Number("--latency-ms", "order-entry latency in ms (default 0)", 0, 60_000, "MS");
        var output = Vocabulary.Text("--out", "folder for slippage.json and slippage.html", "DIR");
        var json = Vocabulary.Json();
        data.AddTo(cmd); symbol.AddTo(cmd); exchange.AddTo(cmd);
        foreach (var o in new Option[] { sizes, side, start, end, every, latencyMs, output, json }) cmd.Options.Add(o);
        cmd.SetAction(r =>
        {
            string root = data.Get(r, ctx.Error) ?? throw new UsageException("--data is required: the data root");
            if (!Directory.Exists(root)) throw new UsageException($"--data {root}: no such directory");
            var symbols = symbol.Get(r, ctx.Error);
            if (symbols is not { Length: 1 }) throw new UsageException("--symbol is required: one instrument");
            var sizeTexts = r.GetValue(sizes);
            if (sizeTexts is not { Length: > 0 }) throw new UsageException("--sizes is required: order sizes such as 0.01,0.1,1,10");
            long from = r.GetValue(start) ?? long.MinValue, to = r.GetValue(end) ?? long.MaxValue;
            if (to <= from) throw new UsageException("--end must be after --start");
            long everyNs = (long)(r.GetValue(every) ?? TimeSpan.FromMinutes(1)).TotalNanoseconds;
            if (everyNs <= 0) throw new UsageException("--every must be above 0");
            var sides = r.GetValue(side) switch { "buy" => new[] { OrderSide.Buy }, "sell" => [OrderSide.Sell], _ => [OrderSide.Buy, OrderSide.Sell] };
            var selection = new ReplaySelection
            {
                Root = root,
                Symbols = symbols,
                Exchanges = exchange.Get(r, ctx.Error),
                Schemas = new HashSet<SchemaKind> { SchemaKind.Deltas, SchemaKind.Status },
                // From the data's start: the book at --start is only whole when its snapshot (before it) is replayed.
                EndNs = to,
                Damage = DamagePolicy.Report,
            };
            double latency = r.GetValue(latencyMs) ?? 0;
            return Run(ctx, selection, sizeTexts, sides, everyNs, (long)(latency * 1_000_000), from, r.GetValue(output), r.GetValue(json));
        });
        return cmd;
    }

    /// <summary>The most samples one analysis keeps (decision points x sizes x sides).</summary>
    public const long MaxSamples = 10_000_000;

    private static int Run(CliContext ctx, ReplaySelection selection, string[] sizeTexts, OrderSide[] sides, long everyNs, long latencyNs, long from, string? outDir, bool json)
    {
        // The book: deltas, or (none recorded) L2 samples, top N, said in the report; one exchange; its scales and span.
        (var book, selection) = BookInput.Find(selection, from);
        int sampleDepth = book.SampleDepth;
        using var reader = new ReplayReader(selection);
        var (exchange, symbol, ps, qs) = (book.Exchange, book.Symbol, book.PriceScale, book.QuantityScale);
        // Bounded memory whatever --every says: the points the data's span makes, checked before any is made.
        long firstNs = book.FirstNs, lastNs = book.LastNs;
        if (firstNs != long.MaxValue)
        {
            long span = Math.Min(lastNs, selection.EndNs) - Math.Max(firstNs, from);
            long points = span <= 0 ? 0 : span / everyNs + 1;
            long work = points * sizeTexts.Length * sides.Length;
            if (work > MaxSamples)
                throw new UsageException($"--every {everyNs / 1e9:0.#########} s over the {span / 1e9:N0} s of data makes {points:N0} decision points x {sizeTexts.Length} sizes x {sides.Length} sides; at most {MaxSamples:N0} samples: give a longer --every or a shorter period");
        }
        var sizeList = new List<long>();
        foreach (var t in sizeTexts)
        {
            if (!FixedDecimal.TryParse(t.AsSpan().Trim(), qs, out long q, out var error)) throw new UsageException($"--sizes: {FixedDecimal.Describe(error, t, qs)}");
            if (q <= 0) throw new UsageException($"--sizes: {t} is not above 0");
            sizeList.Add(q);
        }
        var money = new MoneyScale(ps, qs);
        var registry = new InstrumentRegistry();
        var inst = registry.GetOrAdd(exchange, symbol, ps, qs);
        var analysis = new SlippageAnalysis(inst.Id, money, sizeList.Distinct().Order().ToList(), sides, everyNs, LatencyModel.Fixed(latencyNs, latencyNs), from, selection.EndNs)
        {
            SampleBook = sampleDepth > 0 ? new L2SampleBook(sampleDepth) : null,
        };
        var wall = Stopwatch.StartNew();
        var replay = ReplayToRing.Run(reader, registry, analysis, cancel: ctx.Cancel);
        if (replay.Stopped is { } stopped) throw stopped;
        if (ctx.Cancel.IsCancellationRequested) throw new InputException("stopped by Ctrl+C or SIGTERM: the analysis is incomplete");
        var rows = SlippageReport.Rows(analysis.Samples, money);
        var report = new SlippageDocument(exchange, symbol, money, everyNs, latencyNs, analysis, rows, replay.Events, reader.Damage.Count);
        string jsonText = report.Json();
        if (outDir is not null)
        {
            Directory.CreateDirectory(outDir);
            File.WriteAllText(Path.Combine(outDir, "slippage.json"), jsonText);
            File.WriteAllText(Path.Combine(outDir, "slippage.html"), report.Html());
        }
        if (json) ctx.Out.Write(jsonText);
        else
        {
            ctx.Out.WriteLine($"slippage: {exchange}/{symbol}, {analysis.Samples.Count / Math.Max(1, sizeList.Count * sides.Length):N0} instants every {everyNs / 1e9:0.###} s, latency {latencyNs / 1e6:0.###} ms, {analysis.OutOfSync:N0} out of sync; {replay.Events:N0} events in {wall.Elapsed.TotalSeconds:F2} s");
            ctx.Out.WriteLine($"{"side",-5} {"size",14} {"orders",7} {"partial",8} {"mean bp",9} {"p50",8} {"p95",8} {"p99",8} {"max",8} {"vs arrival",11} {"arr p95",8} {"cost (quote)",20} {"beyond",7}");
            foreach (var row in rows)
                ctx.Out.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"{(row.Side == OrderSide.Buy ? "buy" : "sell"),-5} {FixedDecimal.ToString(row.Size, qs),14} {row.Orders,7} {row.Partial,8} {row.MeanBps,9:F3} {row.P50Bps,8:F3} {row.P95Bps,8:F3} {row.P99Bps,8:F3} {row.MaxBps,8:F3} {row.MeanBpsVsArrival,11:F3} {row.P95BpsVsArrival,8:F3} {money.ToText(row.CostTotal),20} {row.BeyondKnownDepth,7}"));
            if (outDir is not null) ctx.Out.WriteLine($"slippage: wrote {Path.Combine(outDir, "slippage.json")} and slippage.html");
        }
        if (reader.Damage.Count > 0)
        {
            foreach (var d in reader.Damage) ctx.Error.WriteLine($"tickengine slippage: error: damaged segment: {d.Message}");
            return 1;
        }
        return 0;
    }
}
