using System.Globalization;
using System.Text.Json;
using TickEngine.Cli.CommandLine;
using TickEngine.Storage.Format;
using TickEngine.Storage.Layout;
using TickEngine.Storage.Reading;

namespace TickEngine.Cli.Commands;

/// <summary><c>validate PATH</c>: a data-quality report over recorded segments; exit 1 when a problem is found.</summary>
public static class ValidateCommand
{
    public const string Usage = """
        usage: tickengine validate PATH [--json] [--max-gap 2s] [--max-examples 5]
          PATH        a segment or a data root
          Checks, per exchange, symbol and schema (days in order): checksums; time gaps longer than --max-gap
          (exchange time); zero or negative prices and quantities; crossed L2 books; trade-id gaps and duplicates;
          update-id gaps in deltas outside stored gap markers; exchange times out of order (status markers: receive
          times, since connects carry ours and gaps the exchange's); receive − exchange time
          skew (min, median, p99, max); OHLCV rules (low <= open, close <= high; volume >= 0; buy volume <= volume);
          bars that disagree with the trades they came from. A human summary, or JSON with --json.
          Exit code 1 when any problem is found (so it can gate a pipeline), 0 otherwise.
        """;

    private sealed class Series(string exchange, string symbol, SchemaKind kind)
    {
        public string Exchange = exchange, Symbol = symbol;
        public SchemaKind Kind = kind;
        public long Rows;
        public readonly Dictionary<string, long> Problems = new();
        public readonly Dictionary<string, List<string>> Examples = new();
        public readonly List<long> Skews = new();
        public long SkewSeen;
    }

    public static int Run(IReadOnlyList<string> args, CliContext ctx)
    {
        var p = new ArgParser(args, ["--max-gap", "--max-examples"], ["--json"]);
        if (p.Help) { ctx.Out.Write(Usage); return 0; }
        if (p.Positionals.Count != 1) throw new UsageException("validate needs one PATH");
        string path = p.Positionals[0];
        long maxGap = ParseDuration(p.Value("--max-gap") ?? "2s");
        int maxExamples = p.Int("--max-examples", 5, 0, 1000);
        List<string> files;
        if (File.Exists(path)) files = [path];
        else if (Directory.Exists(path)) files = DataRoot.FindSegments(path);
        else throw new UsageException($"{path}: no such file or directory");
        if (files.Count == 0) throw new InputException($"{path}: no segments (*.tks) found");

        var series = new Dictionary<(string, string, SchemaKind), Series>();
        var barsFromTrades = new Dictionary<(string, string), Dictionary<(long Interval, long Open), long[]>>();
        var storedBars = new List<(string Ex, string Sym, long[] Row)>();
        // Trades first (bars are checked against them), then the rest; days in order within a series.
        foreach (var file in files.OrderBy(f => f.Contains(Path.DirectorySeparatorChar + "trades" + Path.DirectorySeparatorChar) ? 0 : 1).ThenBy(f => f, StringComparer.Ordinal))
        {
            SegmentReader r;
            try { r = SegmentReader.Open(file); }
            catch (StorageFormatException e)
            {
                var bad = Get(series, "?", Path.GetFileName(file), SchemaKind.Status);
                Add(bad, "unreadable segment", e.Message, maxExamples);
                continue;
            }
            using (r)
            {
                var s = Get(series, r.Header.Exchange, r.Header.Symbol, r.Schema.Kind);
                foreach (var problem in r.Verify()) Add(s, "checksum or structure", problem.Message, maxExamples);
                CheckRows(r, s, maxGap, maxExamples, barsFromTrades, storedBars);
            }
        }
        // Bars against the trades they came from (complete bars with trades, whose trades are in the data).
        foreach (var (ex, sym, row) in storedBars)
        {
            if ((row[BarColumns.Flags] & (long)RowFlags.Partial) != 0 || row[BarColumns.TradeCount] == 0) continue;
            if (!barsFromTrades.TryGetValue((ex, sym), out var computed)) continue;
            if (!computed.TryGetValue((row[BarColumns.Interval], row[BarColumns.OpenTime]), out var c)) continue;
            bool same = c[0] == row[BarColumns.Open] && c[1] == row[BarColumns.High] && c[2] == row[BarColumns.Low] && c[3] == row[BarColumns.Close] && c[4] == row[BarColumns.Volume] && c[5] == row[BarColumns.TradeCount];
            if (!same)
                Add(Get(series, ex, sym, SchemaKind.Bars), "bar disagrees with its trades", $"{TimeText.FormatIso(row[BarColumns.OpenTime])} {row[BarColumns.Interval] / 1_000_000_000}s: stored O/H/L/C/V/n {row[BarColumns.Open]}/{row[BarColumns.High]}/{row[BarColumns.Low]}/{row[BarColumns.Close]}/{row[BarColumns.Volume]}/{row[BarColumns.TradeCount]}, from trades {c[0]}/{c[1]}/{c[2]}/{c[3]}/{c[4]}/{c[5]}", maxExamples);
        }

        long total = series.Values.Sum(s => s.Problems.Values.Sum());
        var report = series.Values.OrderBy(s => s.Exchange).ThenBy(s => s.Symbol).ThenBy(s => s.Kind).Select(s => new Dictionary<string, object?>
        {
            ["exchange"] = s.Exchange,
            ["symbol"] = s.Symbol,
            ["schema"] = SegmentSchema.NameOf(s.Kind),
            ["rows"] = s.Rows,
            ["problems"] = s.Problems,
            ["examples"] = s.Examples,
            ["skew_ns"] = Skew(s),
        }).ToList();
        if (p.Flag("--json"))
            ctx.Out.WriteLine(JsonSerializer.Serialize(new Dictionary<string, object?> { ["path"] = path, ["problems"] = total, ["series"] = report }, new JsonSerializerOptions { WriteIndented = true }));
        else
        {
            var inv = CultureInfo.InvariantCulture;
            foreach (var s in series.Values.OrderBy(s => s.Exchange).ThenBy(s => s.Symbol).ThenBy(s => s.Kind))
            {
                ctx.Out.WriteLine(string.Format(inv, "{0}/{1} {2}: {3:N0} rows, {4}", s.Exchange, s.Symbol, SegmentSchema.NameOf(s.Kind), s.Rows,
                    s.Problems.Count == 0 ? "ok" : string.Join(", ", s.Problems.Select(kv => $"{kv.Key} {kv.Value:N0}"))));
                if (Skew(s) is { } sk) ctx.Out.WriteLine(string.Format(inv, "    receive - exchange time: min {0:N3} ms, median {1:N3} ms, p99 {2:N3} ms, max {3:N3} ms", sk["min"] / 1e6, sk["median"] / 1e6, sk["p99"] / 1e6, sk["max"] / 1e6));
                foreach (var (kind, examples) in s.Examples)
                    foreach (var e in examples) ctx.Out.WriteLine($"    {kind}: {e}");
            }
            ctx.Out.WriteLine(total == 0 ? $"validate: {files.Count} segments, no problems" : $"validate: {files.Count} segments, {total:N0} problems");
        }
        return total == 0 ? 0 : 1;
    }

    private static void CheckRows(SegmentReader r, Series s, long maxGap, int maxExamples,
        Dictionary<(string, string), Dictionary<(long, long), long[]>> barsFromTrades, List<(string, string, long[])> storedBars)
    {
        var schema = r.Schema;
        using var c = new SegmentCursor(r, ownsReader: false);
        long prevTime = long.MinValue, prevId = long.MinValue, prevLast = long.MinValue;
        bool idChain = schema.Kind == SchemaKind.Deltas && s.Exchange != "binance-futures"; // spot ids chain U == u + 1
        bool inSnapshot = false;
        Dictionary<(long, long), long[]>? bars = null;
        if (schema.Kind == SchemaKind.Trades)
        {
            if (!barsFromTrades.TryGetValue((s.Exchange, s.Symbol), out bars)) barsFromTrades[(s.Exchange, s.Symbol)] = bars = new();
        }
        while (true)
        {
            try { if (!c.MoveNext()) break; }
            catch (StorageFormatException e) { Add(s, "checksum or structure", e.Message, maxExamples); break; }
            s.Rows++;
            long t = c[0];
            string at = TimeText.FormatIso(t);
            long flagsColumn = schema.IndexOf("flags");
            bool receiveKnown = flagsColumn < 0 || (c[(int)flagsColumn] & (long)RowFlags.ReceiveTimeUnknown) == 0;
            if (receiveKnown && (c[SegmentSchema.ReceiveTime] is var recv) && schema.Kind != SchemaKind.Bars && schema.Kind != SchemaKind.Status)
            {
                s.SkewSeen++;
                if (s.Skews.Count < 1_000_000) s.Skews.Add(recv - t);
                else { long j = Random.Shared.NextInt64(s.SkewSeen); if (j < s.Skews.Count) s.Skews[(int)j] = recv - t; } // a uniform sample
            }
            // Status markers are the recorder's own, written in receive order; their exchange time mixes two clocks
            // (a gap or resync carries the exchange's, a connect or disconnect ours), so their order is checked on
            // the receive time.
            bool byReceive = schema.Kind == SchemaKind.Status;
            long ordered = byReceive ? c[SegmentSchema.ReceiveTime] : t;
            if (schema.Kind != SchemaKind.Bars && prevTime != long.MinValue)
            {
                if (ordered < prevTime) Add(s, byReceive ? "receive time out of order" : "exchange time out of order", $"{TimeText.FormatIso(ordered)} after {TimeText.FormatIso(prevTime)}", maxExamples);
                else if (ordered - prevTime > maxGap && schema.Kind != SchemaKind.Status) Add(s, "time gap", $"{(ordered - prevTime) / 1e9:F3} s before {at}", maxExamples);
            }
            prevTime = Math.Max(prevTime, ordered);
            switch (schema.Kind)
            {
                case SchemaKind.Trades:
                {
                    long id = c[TradeColumns.TradeId];
                    if (c[TradeColumns.Price] <= 0 || c[TradeColumns.Quantity] <= 0) Add(s, "zero or negative price or quantity", $"trade {id} at {at}", maxExamples);
                    if (id == 0) { } // no id recorded (imported data): nothing to check
                    else if (prevId != long.MinValue)
                    {
                        if (id <= prevId) Add(s, "trade id duplicate or out of order", $"{id} after {prevId} at {at}", maxExamples);
                        else if (id != prevId + 1) Add(s, "trade id gap", $"{id - prevId - 1} ids missing before {id} at {at}", maxExamples);
                    }
                    if (id != 0) prevId = Math.Max(prevId, id);
                    foreach (long interval in Engine.Handlers.BarAggregatorHandler.DefaultIntervals)
                    {
                        long open = t - ((t % interval) + interval) % interval;
                        long px = c[TradeColumns.Price], q = c[TradeColumns.Quantity];
                        if (!bars!.TryGetValue((interval, open), out var b)) bars[(interval, open)] = b = [px, px, px, px, 0, 0];
                        b[1] = Math.Max(b[1], px); b[2] = Math.Min(b[2], px); b[3] = px; b[4] += q; b[5]++;
                    }
                    break;
                }
                case SchemaKind.L2:
                {
                    int depth = schema.Depth;
                    long bids = c[L2Columns.BidCount], asks = c[L2Columns.AskCount];
                    for (int i = 0; i < bids; i++) if (c[L2Columns.BidPrice(i)] <= 0 || c[L2Columns.BidPrice(i) + 1] <= 0) { Add(s, "zero or negative price or quantity", $"bid level {i + 1} at {at}", maxExamples); break; }
                    for (int i = 0; i < asks; i++) if (c[L2Columns.AskPrice(depth, i)] <= 0 || c[L2Columns.AskPrice(depth, i) + 1] <= 0) { Add(s, "zero or negative price or quantity", $"ask level {i + 1} at {at}", maxExamples); break; }
                    if (bids > 0 && asks > 0 && c[L2Columns.BidPrice(0)] >= c[L2Columns.AskPrice(depth, 0)]) Add(s, "crossed book", $"bid {c[L2Columns.BidPrice(0)]} >= ask {c[L2Columns.AskPrice(depth, 0)]} at {at}", maxExamples);
                    break;
                }
                case SchemaKind.Deltas:
                {
                    long flags = c[DeltaColumns.Flags];
                    if (c[DeltaColumns.Side] != 0 && c[DeltaColumns.Price] <= 0) Add(s, "zero or negative price or quantity", $"level at {at}", maxExamples);
                    if (c[DeltaColumns.Quantity] < 0) Add(s, "zero or negative price or quantity", $"negative quantity at {at}", maxExamples);
                    long first = c[DeltaColumns.FirstUpdateId], last = c[DeltaColumns.LastUpdateId];
                    if ((flags & (long)RowFlags.FromSnapshot) != 0)
                    {
                        inSnapshot = true;
                        prevLast = last; // a snapshot restarts the chain
                        break;
                    }
                    if (inSnapshot) { inSnapshot = false; prevLast = long.MinValue; } // the first diff brackets the snapshot
                    if (idChain && prevLast != long.MinValue && first > prevLast + 1 && last != prevLast)
                        Add(s, "update id gap", $"{first} after {prevLast} at {at}", maxExamples);
                    if (last != prevLast || prevLast == long.MinValue) prevLast = Math.Max(prevLast, last);
                    break;
                }
                case SchemaKind.Bars:
                {
                    long o = c[BarColumns.Open], h = c[BarColumns.High], l = c[BarColumns.Low], cl = c[BarColumns.Close], v = c[BarColumns.Volume], bv = c[BarColumns.BuyVolume];
                    if (l > o || l > cl || o > h || cl > h || l > h) Add(s, "OHLC out of order", $"{TimeText.FormatIso(t)}: O {o} H {h} L {l} C {cl}", maxExamples);
                    if (v < 0 || bv < 0 || bv > v) Add(s, "volume", $"{TimeText.FormatIso(t)}: volume {v}, buy volume {bv}", maxExamples);
                    if (c[BarColumns.TradeCount] > 0 && (o <= 0 || l <= 0)) Add(s, "zero or negative price or quantity", $"bar at {at}", maxExamples);
                    storedBars.Add((s.Exchange, s.Symbol, Enumerable.Range(0, BarColumns.Count).Select(k => c[k]).ToArray()));
                    break;
                }
            }
        }
    }

    private static Dictionary<string, long>? Skew(Series s)
    {
        if (s.Skews.Count == 0) return null;
        var a = s.Skews.ToArray();
        Array.Sort(a);
        return new Dictionary<string, long> { ["min"] = a[0], ["median"] = a[a.Length / 2], ["p99"] = a[Math.Min(a.Length - 1, (int)(a.Length * 0.99))], ["max"] = a[^1] };
    }

    private static Series Get(Dictionary<(string, string, SchemaKind), Series> all, string ex, string sym, SchemaKind kind)
    {
        if (!all.TryGetValue((ex, sym, kind), out var s)) all[(ex, sym, kind)] = s = new Series(ex, sym, kind);
        return s;
    }

    private static void Add(Series s, string kind, string example, int max)
    {
        s.Problems[kind] = s.Problems.GetValueOrDefault(kind) + 1;
        if (!s.Examples.TryGetValue(kind, out var list)) s.Examples[kind] = list = new List<string>();
        if (list.Count < max) list.Add(example);
    }

    private static long ParseDuration(string text)
    {
        if (Csv.ExportLayout.TryParseInterval(text, out long ns)) return ns;
        if (text.EndsWith("ms", StringComparison.Ordinal) && long.TryParse(text[..^2], NumberStyles.None, CultureInfo.InvariantCulture, out long ms) && ms > 0) return ms * 1_000_000;
        throw new UsageException($"--max-gap must be a duration such as 500ms, 2s, 1m, got '{text}'");
    }
}
