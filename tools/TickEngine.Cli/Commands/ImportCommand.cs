using System.Diagnostics;
using TickEngine.Cli.CommandLine;
using TickEngine.Cli.Csv;
using TickEngine.Storage.Format;

namespace TickEngine.Cli.Commands;

/// <summary><c>import csv FILE</c>: a CSV in the export layouts or Tardis's into a data root.</summary>
public static class ImportCommand
{
    public const string Usage = """
        usage: tickengine import csv FILE --schema trades|l2|bars|deltas --exchange X [--symbol S] --out ROOT
                                       [--price-scale N] [--qty-scale N] [--quiet]
          FILE      TickEngine's export layouts (default or --full), or Tardis trades, book_snapshot_N or
                    incremental_book_L2 CSVs (timestamps in epoch microseconds); .gz is read as gzip
          --symbol  the symbol of every row; without it the CSV's 'symbol' column is used
          --price-scale/--qty-scale  decimals stored (default 8); a value with more decimals is an error
        """;

    public static int Run(IReadOnlyList<string> args, CliContext ctx)
    {
        var p = new ArgParser(args, ["--schema", "--exchange", "--symbol", "--out", "--price-scale", "--qty-scale"], ["--quiet"]);
        if (p.Help) { ctx.Out.Write(Usage); return 0; }
        if (p.Positionals.Count != 2 || p.Positionals[0] != "csv") throw new UsageException("import needs 'csv' and a FILE");
        var schema = SegmentSelection.ParseSchema(p.Required("--schema"))!.Value;
        if (schema is SchemaKind.Status) throw new UsageException("--schema status cannot be imported");
        string root = p.Required("--out");
        if (File.Exists(root)) throw new UsageException($"--out {root} is a file; give a data root directory");
        string file = p.Positionals[1];
        if (!File.Exists(file)) throw new UsageException($"{file}: no such file");
        int ps = p.Int("--price-scale", SegmentSchema.DefaultScale, 0, 18);
        int qs = p.Int("--qty-scale", SegmentSchema.DefaultScale, 0, 18);
        bool quiet = p.Flag("--quiet");
        var sw = Stopwatch.StartNew();
        var importer = new CsvImporter(file, schema, p.Value("--exchange"), p.Value("--symbol"), root, ps, qs, quiet ? null : ctx.Error);
        importer.Run();
        if (!quiet) ctx.Error.WriteLine($"import: {importer.Rows:N0} rows into {string.Join(", ", importer.Outputs)} under {root} in {sw.Elapsed.TotalSeconds:F2} s");
        return 0;
    }
}
