using System.Diagnostics;
using System.Text;
using TickEngine.Cli.CommandLine;
using TickEngine.Cli.Csv;
using TickEngine.Storage.Format;
using TickEngine.Storage.Reading;

namespace TickEngine.Cli.Commands;

/// <summary><c>export csv|jsonl PATH</c>: rows of one schema, merged in exchange-time order, as CSV or JSON lines.</summary>
public static class ExportCommand
{
    public const string Usage = """
        usage: tickengine export csv|jsonl PATH [--schema trades|l2|bars|deltas|status] [--start T] [--end T]
                                        [--symbol S] [--exchange X] [--out FILE] [--full] [--quiet]
          PATH      a segment file (.tks) or a data root; for a root, --schema picks the rows
          --start   first time to include (exchange time), epoch ms or ISO-8601; --end is exclusive
          --full    add every stored column (receive time, ids, flags) to the CSV layout
          --out     write to FILE instead of stdout
        """;

    public static int Run(IReadOnlyList<string> args, CliContext ctx)
    {
        var p = new ArgParser(args, ["--schema", "--start", "--end", "--symbol", "--exchange", "--out"], ["--full", "--quiet"]);
        if (p.Help) { ctx.Out.Write(Usage); return 0; }
        if (p.Positionals.Count != 2) throw new UsageException("export needs a format (csv or jsonl) and a PATH");
        string format = p.Positionals[0];
        if (format is not ("csv" or "jsonl")) throw new UsageException($"export format must be csv or jsonl, got '{format}'");
        long start = p.Value("--start") is { } s ? TimeText.ParseToNanos(s, "--start") : long.MinValue;
        long end = p.Value("--end") is { } e ? TimeText.ParseToNanos(e, "--end") : long.MaxValue;
        if (end <= start) throw new UsageException("--end must be after --start");
        var schema = SegmentSelection.ParseSchema(p.Value("--schema"));
        var files = SegmentSelection.Resolve(p.Positionals[1], schema, p.Value("--symbol"), p.Value("--exchange"), schemaRequiredForRoot: true);
        string? outPath = p.Value("--out");
        if (outPath is not null && Directory.Exists(outPath)) throw new UsageException($"--out {outPath} is a directory; give a file name");
        bool quiet = p.Flag("--quiet");
        Stream output = outPath is null ? ctx.OpenStandardOutput() : new FileStream(outPath, FileMode.Create, FileAccess.Write, FileShare.Read, 1 << 16);
        using var o = new Utf8Output(output);
        var days = SegmentSelection.OpenByDay(files);
        var first = days[0][0].Schema;
        foreach (var day in days)
            foreach (var r in day)
                if (r.Schema.Kind != first.Kind || r.Schema.Depth != first.Depth)
                    throw new InputException($"{r.Path}: holds {r.Schema.Name} rows of depth {r.Schema.Depth}; the export started with {first.Name} of depth {first.Depth}: export them separately");
        bool full = p.Flag("--full");
        if (format == "csv") o.Raw(Encoding.UTF8.GetBytes(ExportLayout.Header(first, full) + "\n"));
        var names = ExportLayout.QuotedNames(first);
        long rows = 0;
        var sw = Stopwatch.StartNew();
        long lastReport = 0;
        try
        {
            foreach (var day in days)
            {
                var cursors = day.OrderBy(r => r.Header.Exchange, StringComparer.Ordinal).ThenBy(r => r.Header.Symbol, StringComparer.Ordinal)
                    .Select(r => new SegmentCursor(r, start, end)).ToList();
                var symbols = cursors.Select(c => Encoding.UTF8.GetBytes(c.Reader.Header.Symbol)).ToArray();
                var exchanges = cursors.Select(c => Encoding.UTF8.GetBytes(c.Reader.Header.Exchange)).ToArray();
                using var merged = new MergedCursor(cursors);
                while (merged.MoveNext())
                {
                    int k = merged.CurrentIndex;
                    if (format == "csv") ExportLayout.WriteCsv(o, merged.Current, symbols[k], exchanges[k], full);
                    else ExportLayout.WriteJson(o, merged.Current, symbols[k], exchanges[k], names);
                    if ((++rows & 0xFFFFF) == 0 && !quiet && sw.ElapsedMilliseconds - lastReport > 1000)
                    {
                        lastReport = sw.ElapsedMilliseconds;
                        ctx.Error.WriteLine($"export: {rows:N0} rows, {rows / sw.Elapsed.TotalSeconds:N0} rows/s");
                    }
                }
                foreach (var c in cursors)
                    if (c.Reader.Problems.Count > 0) throw c.Reader.Problems[0];
            }
        }
        catch (StorageFormatException ex)
        {
            o.Flush();
            throw new InputException($"{ex.Message}; the {rows:N0} rows before it were exported");
        }
        o.Flush();
        if (!quiet && outPath is not null) ctx.Error.WriteLine($"export: {rows:N0} rows to {outPath} in {sw.Elapsed.TotalSeconds:F2} s");
        return 0;
    }
}
