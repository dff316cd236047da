using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using TickEngine.Cli.CommandLine;
using TickEngine.Storage.Format;
using TickEngine.Storage.Layout;
using TickEngine.Storage.Reading;

namespace TickEngine.Cli.Commands;

/// <summary>
/// <c>validate</c>: a data-quality report over recorded segments. <b>Problems</b> (exit 1) are defects: damaged
/// blocks, ids missing outside stored markers, duplicates, crossed or non-positive prices, broken OHLCV rules, bars
/// that disagree with their trades, times out of order, exchange times far from the receive time. <b>Observations</b>
/// are printed but do not fail the run: quiet spells (time gaps, with ids contiguous around them or ids missing
/// across a stored disconnect) and clock skew within the tolerance. <c>--strict</c> counts observations as problems.
/// </summary>
public static class ValidateCommand
{
    public const string Summary = "a data-quality report per exchange, symbol and schema; exit 1 when a problem is found (to gate a pipeline)";

    /// <summary>Exchange time further than this from the receive time is a problem (the recorder's default bound too).</summary>
    public static readonly TimeSpan DefaultSkewTolerance = TimeSpan.FromMinutes(5);

    /// <summary>A median receive − exchange skew above this is reported as an observation.</summary>
    public static readonly TimeSpan SkewObservation = TimeSpan.FromSeconds(1);

    public static Command Build(CliContext ctx)
    {
        var cmd = Verb.Create("validate", Summary, """
            Problems: checksums and structure; zero or negative prices and quantities; crossed L2 books; trade-id
            duplicates, and gaps outside stored disconnects; update-id gaps in deltas outside stored gap markers;
            times out of order; exchange times more than --skew-tolerance from the receive time; OHLCV rules; bars
            that disagree with their trades. Observations (printed, exit 0): time gaps longer than --max-gap (a quiet
            market, ids contiguous around them), ids missing across a stored disconnect, and a median receive −
            exchange skew above 1 s. --strict fails on observations too.

            Examples:
              tickengine validate --data data
              tickengine validate --data data --json --strict --max-gap 500ms
            """);
        var path = new Argument<string?>("path") { Hidden = true, Arity = ArgumentArity.ZeroOrOne };
        var data = Vocabulary.Data("a segment file or a data root");
        var json = Vocabulary.Json();
        var maxGap = Vocabulary.Duration("--max-gap", "report quiet spells longer than this (default 2s)");
        var tolerance = Vocabulary.Duration("--skew-tolerance", "exchange time further than this from receive time is a problem (default 5m)");
        var examples = Vocabulary.Int("--max-examples", "examples kept per kind", 5, 0, 1000);
        var strict = Vocabulary.Flag("--strict", "count observations as problems");
        cmd.Arguments.Add(path);
        data.AddTo(cmd);
        foreach (var o in new Option[] { json, maxGap, tolerance, examples, strict }) cmd.Options.Add(o);
        cmd.SetAction(r => Run(Paths.DataOrPositional(data, path, r, ctx), r.GetValue(json), (long)(r.GetValue(maxGap) ?? TimeSpan.FromSeconds(2)).TotalMilliseconds * 1_000_000,
            (long)(r.GetValue(tolerance) ?? DefaultSkewTolerance).TotalMilliseconds * 1_000_000, r.GetValue(examples), r.GetValue(strict), ctx));
        return cmd;
    }

    private sealed class Series(string exchange, string symbol, SchemaKind kind)
    {
        public readonly string Exchange = exchange, Symbol = symbol;
        public readonly SchemaKind Kind = kind;
        public long Rows;
        public readonly Dictionary<string, long> Problems = new();
        public readonly Dictionary<string, long> Observations = new();
        public readonly Dictionary<string, List<string>> Examples = new();
        public readonly List<long> Skews = new();
        public long SkewSeen;
        public long History;
    }

    /// <summary>Stored session markers of one instrument (receive times of disconnects and connects), to explain id gaps.</summary>
    private sealed class Markers
    {
        public readonly List<long> Sessions = new();
        public bool Covers(long fromReceive, long toReceive)
        {
            foreach (long t in Sessions) if (t >= fromReceive && t <= toReceive) return true;
            return false;
        }
    }

    private sealed record Context(long MaxGap, long Tolerance, int MaxExamples);

    public static int Run(string path, bool json, long maxGap, long tolerance, int maxExamples, bool strict, CliContext ctx)
    {
        List<string> files;
        var skipped = new List<string>();
        if (File.Exists(path)) files = [path];
        else if (Directory.Exists(path)) files = DataRoot.FindSegments(path, skipped: skipped);
        else throw new UsageException($"--data {path}: no such file or directory");
        foreach (var link in skipped) ctx.Error.WriteLine($"note: {link} is a symbolic link: not followed");
        if (files.Count == 0) throw new InputException($"{path}: no segments (*.tks) found");
        var opts = new Context(maxGap, tolerance, maxExamples);

        var series = new Dictionary<(string, string, SchemaKind), Series>();
        var markers = new Dictionary<(string, string), Markers>();
        var barsFromTrades = new Dictionary<(string, string), Dictionary<(long Interval, long Open), decimal[]>>();
        var storedBars = new List<(string Ex, string Sym, long[] Row, int PriceScale, int QuantityScale)>();
        // Status first (it explains gaps), then trades (bars are checked against them), then the rest; days in order.
        static int Rank(string f) => f.Contains($"{Path.DirectorySeparatorChar}status{Path.DirectorySeparatorChar}") ? 0 : f.Contains($"{Path.DirectorySeparatorChar}trades{Path.DirectorySeparatorChar}") ? 1 : 2;
        foreach (var file in files.OrderBy(Rank).ThenBy(f => f, Comparer<string>.Create(DataRoot.CompareSegmentPaths)))
        {
            if (ctx.Cancel.IsCancellationRequested) throw new InputException("stopped by Ctrl+C or SIGTERM: the report is incomplete");
            SegmentReader r;
            try { r = SegmentReader.Open(file); }
            catch (StorageFormatException e)
            {
                var bad = Get(series, "?", Path.GetFileName(file), SchemaKind.Status);
                Problem(bad, "unreadable segment", e.Message, opts);
                continue;
            }
            using (r)
            {
                var s = Get(series, r.Header.Exchange, r.Header.Symbol, r.Schema.Kind);
                foreach (var problem in r.Verify(ctx.Cancel)) Problem(s, "checksum or structure", problem.Message, opts);
                if (!markers.TryGetValue((s.Exchange, s.Symbol), out var m)) markers[(s.Exchange, s.Symbol)] = m = new Markers();
                CheckRows(r, s, m, opts, barsFromTrades, storedBars, ctx.Cancel);
            }
        }
        if (ctx.Cancel.IsCancellationRequested) throw new InputException("stopped by Ctrl+C or SIGTERM: the report is incomplete");
        // Bars against the trades they came from (complete bars with trades, whose trades are in the data).
        foreach (var (ex, sym, row, ps, qs) in storedBars)
        {
            if ((row[BarColumns.Flags] & (long)RowFlags.Partial) != 0 || row[BarColumns.TradeCount] == 0) continue;
            if (!barsFromTrades.TryGetValue((ex, sym), out var computed)) continue;
            if (!computed.TryGetValue((row[BarColumns.Interval], row[BarColumns.OpenTime]), out var c)) continue;
            bool same = c[0] == Dec(row[BarColumns.Open], ps) && c[1] == Dec(row[BarColumns.High], ps) && c[2] == Dec(row[BarColumns.Low], ps) &&
                        c[3] == Dec(row[BarColumns.Close], ps) && c[4] == Dec(row[BarColumns.Volume], qs) && c[5] == row[BarColumns.TradeCount];
            if (!same)
                Problem(Get(series, ex, sym, SchemaKind.Bars), "bar disagrees with its trades", $"{TimeText.FormatIso(row[BarColumns.OpenTime])} {row[BarColumns.Interval] / 1_000_000_000}s: stored O/H/L/C/V/n {row[BarColumns.Open]}/{row[BarColumns.High]}/{row[BarColumns.Low]}/{row[BarColumns.Close]}/{row[BarColumns.Volume]}/{row[BarColumns.TradeCount]}, from trades {c[0]}/{c[1]}/{c[2]}/{c[3]}/{c[4]}/{c[5]}", opts);
        }
        foreach (var s in series.Values)
            if (Skew(s) is { } sk && Math.Abs(sk["median"]) > (long)SkewObservation.TotalMilliseconds * 1_000_000)
                Observe(s, "clock skew", string.Create(CultureInfo.InvariantCulture, $"median receive - exchange time {sk["median"] / 1e6:N3} ms"), opts);

        long problems = series.Values.Sum(s => s.Problems.Values.Sum());
        long observations = series.Values.Sum(s => s.Observations.Values.Sum());
        long failing = problems + (strict ? observations : 0);
        var ordered = series.Values.OrderBy(s => s.Exchange, StringComparer.Ordinal).ThenBy(s => s.Symbol, StringComparer.Ordinal).ThenBy(s => s.Kind).ToList();
        if (json)
        {
            var report = ordered.Select(s => new Dictionary<string, object?>
            {
                ["exchange"] = s.Exchange,
                ["symbol"] = s.Symbol,
                ["schema"] = SegmentSchema.NameOf(s.Kind),
                ["rows"] = s.Rows,
                ["problems"] = s.Problems,
                ["observations"] = s.Observations,
                ["examples"] = s.Examples,
                ["skew_ns"] = Skew(s),
            }).ToList();
            ctx.Out.WriteLine(JsonSerializer.Serialize(new Dictionary<string, object?> { ["path"] = path, ["problems"] = problems, ["observations"] = observations, ["strict"] = strict, ["series"] = report },
                new JsonSerializerOptions { WriteIndented = true }));
        }
        else
        {
            var inv = CultureInfo.InvariantCulture;
            foreach (var s in ordered)
            {
                string state = s.Problems.Count == 0 ? "ok" : "PROBLEMS: " + string.Join(", ", s.Problems.Select(kv => $"{kv.Key} {kv.Value:N0}"));
                if (s.Observations.Count > 0) state += "; observed: " + string.Join(", ", s.Observations.Select(kv => $"{kv.Key} {kv.Value:N0}"));
                ctx.Out.WriteLine(string.Format(inv, "{0}/{1} {2}: {3:N0} rows, {4}", s.Exchange, s.Symbol, SegmentSchema.NameOf(s.Kind), s.Rows, state));
                if (Skew(s) is { } sk) ctx.Out.WriteLine(string.Format(inv, "    receive - exchange time: min {0:N3} ms, median {1:N3} ms, p99 {2:N3} ms, max {3:N3} ms", sk["min"] / 1e6, sk["median"] / 1e6, sk["p99"] / 1e6, sk["max"] / 1e6));
                foreach (var (kind, list) in s.Examples)
                    foreach (var e in list) ctx.Out.WriteLine($"    {kind}: {e}");
            }
            ctx.Out.WriteLine($"validate: {files.Count} segments, {(problems == 0 ? "no problems" : $"{problems:N0} problems")}, {observations:N0} observations{(strict && observations > 0 ? " (--strict: they count as problems)" : "")}");
        }
        return failing == 0 ? 0 : 1;
    }

    private static void CheckRows(SegmentReader r, Series s, Markers markers, Context o,
        Dictionary<(string, string), Dictionary<(long, long), decimal[]>> barsFromTrades, List<(string, string, long[], int, int)> storedBars, CancellationToken cancel)
    {
        var schema = r.Schema;
        using var c = new SegmentCursor(r, ownsReader: false);
        long prevTime = long.MinValue, prevId = long.MinValue, prevIdReceive = long.MinValue, prevLast = long.MinValue;
        // Binance spot ids chain U == u + 1 per book; futures chain through pu (not stored), Coinbase numbers a whole
        // connection (a book sees every other channel's numbers skipped) and OKX through prevSeqId (not stored).
        bool idChain = schema.Kind == SchemaKind.Deltas && s.Exchange == "binance";
        bool sequentialIds = Engine.Venues.VenueRegistry.TradeIdsOf(s.Exchange) == Engine.Ingest.TradeIdKind.Sequential;
        bool inSnapshot = false;
        int flagsColumn = schema.IndexOf("flags");
        Dictionary<(long, long), decimal[]>? bars = null;
        if (schema.Kind == SchemaKind.Trades && !barsFromTrades.TryGetValue((s.Exchange, s.Symbol), out bars)) barsFromTrades[(s.Exchange, s.Symbol)] = bars = new();
        while (true)
        {
            try { if (!c.MoveNext()) break; }
            catch (StorageFormatException e) { Problem(s, "checksum or structure", e.Message, o); break; }
            s.Rows++;
            if ((s.Rows & 0xFFFF) == 0 && cancel.IsCancellationRequested) return;
            long t = c[0];
            long recv = c[SegmentSchema.ReceiveTime];
            string at = TimeText.FormatIso(t);
            bool receiveKnown = flagsColumn < 0 || (c[flagsColumn] & (long)(RowFlags.ReceiveTimeUnknown | RowFlags.ExchangeTimeUnknown)) == 0;
            // History the exchange sent at subscription: its time is not when it was received, and it is outside the
            // run of live rows (order, skew, id continuity); only its values are checked.
            bool history = schema.Kind == SchemaKind.Trades && (c[TradeColumns.Flags] & (long)RowFlags.History) != 0;
            if (history) s.History++;
            if (receiveKnown && !history && schema.Kind is not (SchemaKind.Bars or SchemaKind.Status or SchemaKind.L2))
            {
                s.SkewSeen++;
                if (s.Skews.Count < 1_000_000) s.Skews.Add(recv - t);
                else { long j = Random.Shared.NextInt64(s.SkewSeen); if (j < s.Skews.Count) s.Skews[(int)j] = recv - t; } // a uniform sample
                if (Math.Abs(recv - t) > o.Tolerance)
                    Problem(s, "exchange time far from receive time", $"exchange {at}, received {TimeText.FormatIso(recv)} ({(recv - t) / 1e9:F1} s)", o);
            }
            if (schema.Kind == SchemaKind.Status)
            {
                var kind = (StatusKind)c[StatusColumns.Kind];
                if (kind is StatusKind.Disconnect or StatusKind.Connect) markers.Sessions.Add(recv);
                // The recorder found the book inconsistent (crossed, or a checksum or best bid/ask of the exchange's
                // disagreed): the data around it is not what the exchange meant. A gap marker says what is missing.
                if (kind == StatusKind.BookInvalid) Problem(s, "book found invalid (stored marker)", $"at {TimeText.FormatIso(t)}: compared {c[StatusColumns.A]} with {c[StatusColumns.B]}", o);
                else if (kind == StatusKind.SequenceGap) Observe(s, "sequence gap (stored marker)", $"at {TimeText.FormatIso(t)}: expected {c[StatusColumns.A]}, got {c[StatusColumns.B]}", o);
                else if (kind == StatusKind.ScaleChange) Observe(s, "scale change (stored marker)", $"at {TimeText.FormatIso(t)}: price scale {c[StatusColumns.A]}, quantity scale {c[StatusColumns.B]}", o);
            }
            // Status markers are the recorder's own, written in receive order; their exchange time mixes two clocks
            // (a gap or resync carries the exchange's, a connect or disconnect ours), so their order is checked on
            // the receive time.
            bool byReceive = schema.Kind == SchemaKind.Status;
            long ordered = byReceive ? recv : t;
            if (history) { CheckTradeValues(c, s, at, o, schema); AddToBars(bars!, t, c, schema); continue; }
            if (schema.Kind != SchemaKind.Bars && prevTime != long.MinValue)
            {
                if (ordered < prevTime) Problem(s, byReceive ? "receive time out of order" : "exchange time out of order", $"{TimeText.FormatIso(ordered)} after {TimeText.FormatIso(prevTime)}", o);
                else if (ordered - prevTime > o.MaxGap && schema.Kind != SchemaKind.Status) Observe(s, "time gap", $"{(ordered - prevTime) / 1e9:F3} s before {at}", o);
            }
            prevTime = Math.Max(prevTime, ordered);
            switch (schema.Kind)
            {
                case SchemaKind.Trades:
                {
                    long id = c[TradeColumns.TradeId];
                    CheckTradeValues(c, s, at, o, schema);
                    if (schema.TextTradeIds) { } // ids of any form promise no order
                    else if (id == 0 || !sequentialIds) { } // no id recorded (imported data), or ids that promise no continuity
                    else if (prevId != long.MinValue)
                    {
                        if (id <= prevId) Problem(s, "trade id duplicate or out of order", $"{id} after {prevId} at {at}", o);
                        else if (id != prevId + 1)
                        {
                            string example = $"{id - prevId - 1} ids missing before {id} at {at}";
                            if (markers.Covers(prevIdReceive, recv)) Observe(s, "trade ids missing across a stored disconnect", example, o);
                            else Problem(s, "trade id gap", example, o);
                        }
                    }
                    if (id != 0) { prevId = Math.Max(prevId, id); prevIdReceive = recv; }
                    AddToBars(bars!, t, c, schema);
                    break;
                }
                case SchemaKind.L2:
                {
                    int depth = schema.Depth;
                    long bids = c[L2Columns.BidCount], asks = c[L2Columns.AskCount];
                    for (int i = 0; i < bids; i++) if (c[L2Columns.BidPrice(i)] <= 0 || c[L2Columns.BidPrice(i) + 1] <= 0) { Problem(s, "zero or negative price or quantity", $"bid level {i + 1} at {at}", o); break; }
                    for (int i = 0; i < asks; i++) if (c[L2Columns.AskPrice(depth, i)] <= 0 || c[L2Columns.AskPrice(depth, i) + 1] <= 0) { Problem(s, "zero or negative price or quantity", $"ask level {i + 1} at {at}", o); break; }
                    if (bids > 0 && asks > 0 && c[L2Columns.BidPrice(0)] >= c[L2Columns.AskPrice(depth, 0)]) Problem(s, "crossed book", $"bid {c[L2Columns.BidPrice(0)]} >= ask {c[L2Columns.AskPrice(depth, 0)]} at {at}", o);
                    break;
                }
                case SchemaKind.Deltas:
                {
                    long flags = c[DeltaColumns.Flags];
                    if (c[DeltaColumns.Side] != 0 && c[DeltaColumns.Price] <= 0) Problem(s, "zero or negative price or quantity", $"level at {at}", o);
                    if (c[DeltaColumns.Quantity] < 0) Problem(s, "zero or negative price or quantity", $"negative quantity at {at}", o);
                    long first = c[DeltaColumns.FirstUpdateId], last = c[DeltaColumns.LastUpdateId];
                    if ((flags & (long)RowFlags.FromSnapshot) != 0)
                    {
                        inSnapshot = true;
                        prevLast = last; // a snapshot restarts the chain
                        break;
                    }
                    if (inSnapshot) { inSnapshot = false; prevLast = long.MinValue; } // the first diff brackets the snapshot
                    if (idChain && prevLast != long.MinValue && first > prevLast + 1 && last != prevLast)
                        Problem(s, "update id gap", $"{first} after {prevLast} at {at}", o);
                    if (last != prevLast || prevLast == long.MinValue) prevLast = Math.Max(prevLast, last);
                    break;
                }
                case SchemaKind.Quotes:
                {
                    long bid = c[QuoteColumns.BidPrice], ask = c[QuoteColumns.AskPrice];
                    if (bid < 0 || ask < 0 || c[QuoteColumns.BidQty] < 0 || c[QuoteColumns.AskQty] < 0) Problem(s, "zero or negative price or quantity", $"quote at {at}", o);
                    if (bid > 0 && ask > 0 && bid >= ask) Problem(s, "crossed quote", $"bid {bid} >= ask {ask} at {at}", o);
                    break;
                }
                case SchemaKind.Funding:
                {
                    if (c[FundingColumns.MarkPrice] < 0 || c[FundingColumns.IndexPrice] < 0) Problem(s, "zero or negative price or quantity", $"funding at {at}", o);
                    if (c[FundingColumns.NextFunding] != 0 && c[FundingColumns.NextFunding] < t - 86_400_000_000_000L)
                        Problem(s, "next funding long past", $"next funding {TimeText.FormatIso(c[FundingColumns.NextFunding])} at {at}", o);
                    break;
                }
                case SchemaKind.Bars:
                {
                    long op = c[BarColumns.Open], h = c[BarColumns.High], l = c[BarColumns.Low], cl = c[BarColumns.Close], v = c[BarColumns.Volume], bv = c[BarColumns.BuyVolume];
                    if (l > op || l > cl || op > h || cl > h || l > h) Problem(s, "OHLC out of order", $"{at}: O {op} H {h} L {l} C {cl}", o);
                    if (v < 0 || bv < 0 || bv > v) Problem(s, "volume", $"{at}: volume {v}, buy volume {bv}", o);
                    if (c[BarColumns.TradeCount] > 0 && (op <= 0 || l <= 0)) Problem(s, "zero or negative price or quantity", $"bar at {at}", o);
                    var row = new long[BarColumns.Count];
                    for (int k = 0; k < row.Length; k++) row[k] = c[k];
                    storedBars.Add((s.Exchange, s.Symbol, row, schema.PriceScale, schema.QuantityScale));
                    break;
                }
            }
        }
    }

    private static void CheckTradeValues(SegmentCursor c, Series s, string at, Context o, SegmentSchema schema)
    {
        long id = c[TradeColumns.TradeId];
        if (c[TradeColumns.Price] <= 0 || c[TradeColumns.Quantity] <= 0) Problem(s, "zero or negative price or quantity", $"trade {id} at {at}", o);
        // Ids of any form must decode (FORMAT.md 1.1); a segment's CRC proves the bytes, not that they are an id.
        if (schema.TextTradeIds && TradeIds.ToText(id, c[TradeColumns.TradeIdLo], c[TradeColumns.Flags]) is null)
            Problem(s, "trade id not valid", $"stored id words {id:X16} {c[TradeColumns.TradeIdLo]:X16} at {at}", o);
    }

    /// <summary>
    /// Adds a trade to the bars computed from the trades, in exact decimals (a recording's parts may hold trades at
    /// other scales than its bars).
    /// </summary>
    private static void AddToBars(Dictionary<(long, long), decimal[]> bars, long t, SegmentCursor c, SegmentSchema schema)
    {
        decimal px = Dec(c[TradeColumns.Price], schema.PriceScale), q = Dec(c[TradeColumns.Quantity], schema.QuantityScale);
        foreach (long interval in Engine.Handlers.BarAggregatorHandler.DefaultIntervals)
        {
            long open = t - ((t % interval) + interval) % interval;
            if (!bars.TryGetValue((interval, open), out var b)) bars[(interval, open)] = b = [px, px, px, px, 0, 0];
            b[1] = Math.Max(b[1], px); b[2] = Math.Min(b[2], px); b[3] = px; b[4] += q; b[5]++;
        }
    }

    /// <summary>A mantissa at a scale as an exact decimal.</summary>
    private static decimal Dec(long mantissa, int scale)
    {
        ulong m = mantissa < 0 ? (ulong)(-(mantissa + 1)) + 1 : (ulong)mantissa;
        return new decimal((int)(uint)m, (int)(uint)(m >> 32), 0, mantissa < 0, (byte)scale);
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

    private static void Problem(Series s, string kind, string example, Context o) => Add(s, s.Problems, kind, example, o);

    private static void Observe(Series s, string kind, string example, Context o) => Add(s, s.Observations, kind, example, o);

    private static void Add(Series s, Dictionary<string, long> counts, string kind, string example, Context o)
    {
        counts[kind] = counts.GetValueOrDefault(kind) + 1;
        if (!s.Examples.TryGetValue(kind, out var list)) s.Examples[kind] = list = new List<string>();
        if (list.Count < o.MaxExamples) list.Add(example);
    }
}
