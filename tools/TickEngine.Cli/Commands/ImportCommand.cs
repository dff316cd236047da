using System.CommandLine;
using System.Diagnostics;
using TickEngine.Cli.CommandLine;
using TickEngine.Cli.Csv;
using TickEngine.Storage.Format;

namespace TickEngine.Cli.Commands;

/// <summary><c>import csv FILE</c>: a CSV in the export layouts or Tardis's into a data root.</summary>
public static class ImportCommand
{
    public const string Summary = "a CSV into segments: TickEngine's export layouts (default or --full) or Tardis CSVs";

    public static Command Build(CliContext ctx)
    {
        var cmd = Verb.Create("import", Summary, """
            Tardis trades, book_snapshot_N and incremental_book_L2 files are recognised by their header (timestamps
            in epoch microseconds; .gz is read as gzip). A value with more decimals than the scale is an error naming
            the line and column; the rows before it are kept.

            Examples:
              tickengine import csv trades.csv --schema trades --exchange binance --data data
              tickengine import csv binance-futures_book_snapshot_25_BTCUSDT.csv --schema l2 --exchange binance-futures --data data
            """);
        var format = new Argument<string>("format") { Description = "csv" };
        format.AcceptOnlyFromAmong("csv");
        var file = new Argument<string>("file") { Description = "the CSV (gzip or not)" };
        var schema = new Option<string?>("--schema") { Description = "trades, l2, bars or deltas", HelpName = "S" };
        var exchange = new Option<string?>("--exchange") { Description = "the exchange the rows belong to", HelpName = "X" };
        var symbol = new Option<string?>("--symbol") { Description = "the symbol of every row (default: the CSV's symbol column)", HelpName = "S" };
        var data = Vocabulary.Data("the data root to write into", "--out");
        var ps = Vocabulary.Int("--price-scale", "decimals stored for prices", SegmentSchema.DefaultScale, 0, 18);
        var qs = Vocabulary.Int("--qty-scale", "decimals stored for quantities", SegmentSchema.DefaultScale, 0, 18);
        var quiet = Vocabulary.Quiet();
        cmd.Arguments.Add(format); cmd.Arguments.Add(file);
        data.AddTo(cmd);
        foreach (var o in new Option[] { schema, exchange, symbol, ps, qs, quiet }) cmd.Options.Add(o);
        cmd.SetAction(r =>
        {
            string st = r.GetValue(schema) ?? throw new UsageException("--schema is required: trades, l2, bars or deltas");
            if (!SegmentSchema.TryParseName(st, out var kind) || kind == SchemaKind.Status) throw new UsageException($"--schema must be trades, l2, bars or deltas, got '{st}'");
            string root = data.Get(r, ctx.Error) ?? throw new UsageException("--data is required: the data root to write into");
            if (File.Exists(root)) throw new UsageException($"--data {root} is a file; give a data root directory");
            string path = r.GetValue(file)!;
            if (!File.Exists(path)) throw new UsageException($"{path}: no such file");
            bool q = r.GetValue(quiet);
            var sw = Stopwatch.StartNew();
            var importer = new CsvImporter(path, kind, r.GetValue(exchange), r.GetValue(symbol), root, r.GetValue(ps), r.GetValue(qs), q ? null : ctx.Error);
            importer.Run();
            if (!q) ctx.Error.WriteLine($"import: {importer.Rows:N0} rows into {string.Join(", ", importer.Outputs)} under {root} in {sw.Elapsed.TotalSeconds:F2} s");
            return 0;
        });
        return cmd;
    }
}
