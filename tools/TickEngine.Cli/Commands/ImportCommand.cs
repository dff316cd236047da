using System.CommandLine;
using System.Diagnostics;
using TickEngine.Cli.CommandLine;
using TickEngine.Cli.Csv;
using TickEngine.Storage.Format;

namespace TickEngine.Cli.Commands;

/// <summary>
/// <c>import csv FILE</c>: a CSV in the export layouts or Tardis's into a data root. <c>import bybit-book FILE</c>: one of
/// Bybit's daily order-book archives, rebuilt through the venue's adapter into deltas and L2 samples.
/// </summary>
public static class ImportCommand
{
    public const string Summary = "a CSV (TickEngine's export layouts or Tardis CSVs) or a Bybit order-book archive into segments";

    public static Command Build(CliContext ctx)
    {
        var cmd = Verb.Create("import", Summary, """
            Tardis trades, book_snapshot_N and incremental_book_L2 files are recognised by their header (timestamps
            in epoch microseconds; .gz is read as gzip). A value with more decimals than the scale is an error naming
            the line and column; the rows before it are kept.

            bybit-book reads Bybit's daily order-book archive (<date>_<SYMBOL>_ob500.data, plain, .zip as Bybit serves
            it, or .gz): each line is an orderbook.500 message, applied by Bybit's rules (u + 1, a snapshot replaces);
            deltas and L2 samples are written under bybit (linear, inverse) or bybit-spot, flagged receive_time_unknown
            (the archive has no receive time). --market is read from the path (.../linear/..., .../spot/...) when not given.

            Examples:
              tickengine import csv trades.csv --schema trades --exchange binance --data data
              tickengine import csv binance-futures_book_snapshot_25_BTCUSDT.csv --schema l2 --exchange binance-futures --data data
              tickengine import bybit-book 2026-08-09_BTCUSDT_ob500.data.zip --market linear --depth 25 --data data
            """);
        var format = new Argument<string>("format") { Description = "csv or bybit-book" };
        format.AcceptOnlyFromAmong("csv", "bybit-book");
        var file = new Argument<string>("file") { Description = "the CSV (gzip or not)" };
        var schema = new Option<string?>("--schema") { Description = Vocabulary.Schemas(withStatus: false), HelpName = "S" };
        var exchange = new Option<string?>("--exchange") { Description = "the exchange the rows belong to", HelpName = "X" };
        var symbol = new Option<string?>("--symbol") { Description = "the symbol of every row (default: the CSV's symbol column)", HelpName = "S" };
        var data = Vocabulary.Data("the data root to write into", "--out");
        var ps = Vocabulary.Int("--price-scale", "decimals stored for prices", SegmentSchema.DefaultScale, 0, 18);
        var qs = Vocabulary.Int("--qty-scale", "decimals stored for quantities", SegmentSchema.DefaultScale, 0, 18);
        var quiet = Vocabulary.Quiet();
        var force = Vocabulary.Flag("--force", "import a file this data root already holds (its rows would be doubled)");
        var market = new Option<string?>("--market") { Description = "bybit-book: linear, inverse or spot", HelpName = "M" };
        market.AcceptOnlyFromAmong("linear", "inverse", "spot");
        var depth = Vocabulary.Int("--depth", "bybit-book: L2 levels per side sampled", SegmentSchema.DefaultDepth, 1, SegmentSchema.MaxDepth);
        cmd.Arguments.Add(format); cmd.Arguments.Add(file);
        data.AddTo(cmd);
        foreach (var o in new Option[] { schema, exchange, symbol, ps, qs, market, depth, quiet, force }) cmd.Options.Add(o);
        cmd.SetAction(r =>
        {
            if (r.GetValue(format) == "bybit-book") return BybitBook(ctx, r.GetValue(file)!, r.GetValue(market), r.GetValue(depth), data.Get(r, ctx.Error), r.GetValue(quiet), r.GetValue(force));
            string st = r.GetValue(schema) ?? throw new UsageException($"--schema is required: {Vocabulary.Schemas(withStatus: false)}");
            if (!SegmentSchema.TryParseName(st, out var kind) || kind == SchemaKind.Status) throw new UsageException($"--schema must be {Vocabulary.Schemas(withStatus: false)}, got '{st}'");
            string root = data.Get(r, ctx.Error) ?? throw new UsageException("--data is required: the data root to write into");
            if (File.Exists(root)) throw new UsageException($"--data {root} is a file; give a data root directory");
            string path = r.GetValue(file)!;
            if (!File.Exists(path)) throw new UsageException($"{path}: no such file");
            bool q = r.GetValue(quiet);
            var sw = Stopwatch.StartNew();
            string how = $"import csv --schema {SegmentSchema.NameOf(kind)} --exchange {r.GetValue(exchange) ?? "(column)"} --symbol {r.GetValue(symbol) ?? "(column)"}";
            var guard = IngestGuard.Check(root, [path], how, r.GetValue(force), ctx);
            using var rootLock = Storage.Layout.DataRootLock.Acquire(root, "import csv");
            guard.Started();
            var importer = new CsvImporter(path, kind, r.GetValue(exchange), r.GetValue(symbol), root, r.GetValue(ps), r.GetValue(qs), q ? null : ctx.Error);
            importer.Run(ctx.Cancel);
            if (ctx.Cancel.IsCancellationRequested)
                throw new InputException($"stopped by Ctrl+C or SIGTERM after {importer.Rows:N0} rows: the import is incomplete (its rows so far are kept)");
            if (importer.Rows == 0) throw new InputException($"{path}: no row to import (a header and nothing else)");
            guard.Done(importer.Rows);
            if (!q) ctx.Error.WriteLine($"import: {importer.Rows:N0} rows into {string.Join(", ", importer.Outputs)} under {root} in {sw.Elapsed.TotalSeconds:F2} s");
            return 0;
        });
        return cmd;
    }

    private static int BybitBook(CliContext ctx, string path, string? market, int depth, string? dataRoot, bool quiet, bool force)
    {
        string root = dataRoot ?? throw new UsageException("--data is required: the data root to write into");
        if (File.Exists(root)) throw new UsageException($"--data {root} is a file; give a data root directory");
        if (!File.Exists(path)) throw new UsageException($"{path}: no such file");
        market ??= Engine.Venues.Bybit.BybitBookArchive.MarketOfPath(Path.GetFullPath(path))
            ?? throw new UsageException($"{path}: give --market linear, inverse or spot (the path does not say)");
        var sw = Stopwatch.StartNew();
        var options = Engine.Pipeline.RecordOptions.ForCapture(root) with
        {
            Exchange = Engine.Venues.Bybit.BybitAdapter.Derivatives,
            Types = new HashSet<SchemaKind> { SchemaKind.Deltas, SchemaKind.L2 },
            Depth = depth,
            ReceiveTimeUnknown = true,
        };
        var guard = IngestGuard.Check(root, [path], $"import bybit-book --market {market} --depth {depth}", force, ctx);
        var pipeline = new Engine.Pipeline.RecordPipeline(options with { Purpose = "import bybit-book" });
        var adapter = (Engine.Venues.Bybit.BybitAdapter)pipeline.Adapters[0];
        var archive = new Engine.Venues.Bybit.BybitBookArchive(path, adapter, market)
        {
            Progress = quiet ? null : (lines, share) => ctx.Error.WriteLine($"import: {lines:N0} lines, {share:P0} of {Path.GetFileName(path)}"),
        };
        pipeline.Start();
        guard.Started();
        try { archive.Run(ctx.Cancel); }
        finally { pipeline.Stop(ctx.Cancel); }
        var c = adapter.Counters;
        string rows = string.Join(", ", pipeline.Outputs.Where(o => o.Rows > 0).Select(o => $"{o.Rows:N0} {SegmentSchema.NameOf(o.Kind)}"));
        if (!quiet)
            ctx.Error.WriteLine($"import: {archive.Lines:N0} lines, {c.DiffsApplied:N0} deltas applied, {c.Syncs:N0} snapshots, {c.Gaps:N0} gaps, {c.Malformed:N0} malformed; {rows} under {root} in {sw.Elapsed.TotalSeconds:F2} s");
        foreach (var (reason, count) in c.MalformedByReason) ctx.Error.WriteLine($"import: malformed: {reason}: {count:N0}");
        if (ctx.Cancel.IsCancellationRequested)
            throw new InputException($"stopped by Ctrl+C or SIGTERM after {archive.Lines:N0} lines: the import is incomplete (its rows so far are kept)");
        long written = pipeline.Outputs.Where(o => o.Kind != SchemaKind.Status).Sum(o => o.CommittedRows);
        guard.Done(written);
        if (written == 0)
            throw new InputException($"{path}: nothing was imported: " + (c.Syncs == 0
                ? $"the archive holds no snapshot to start a book from ({archive.Lines:N0} lines; a day's archive starts with one)"
                : "no level change could be applied"));
        // The archive's own faults: exit 1, each named (the rows around them are kept, with their markers).
        var faults = new List<string>();
        if (c.Malformed > 0) faults.Add($"{c.Malformed:N0} malformed lines");
        if (c.Gaps > 0) faults.Add($"{c.Gaps:N0} gaps in the update ids");
        if (c.Crossed > 0) faults.Add($"{c.Crossed:N0} times the book crossed (stored as book-invalid markers; the book resumed at the next snapshot)");
        if (c.SequenceBackwards > 0) faults.Add($"{c.SequenceBackwards:N0} update ids going back");
        if (faults.Count == 0) return 0;
        ctx.Error.WriteLine($"tickengine import: error: {path}: {string.Join("; ", faults)}");
        return 1;
    }
}
