using System.CommandLine;
using System.Diagnostics;
using System.Text;
using TickEngine.Cli.CommandLine;
using TickEngine.Cli.Csv;
using TickEngine.Engine.Replay;
using TickEngine.Storage.Format;

namespace TickEngine.Cli.Commands;

/// <summary><c>export csv|jsonl</c>: rows of one schema, merged in exchange-time order (the replay merge), as CSV or JSON lines.</summary>
public static class ExportCommand
{
    public const string Summary = "rows of one schema as CSV, JSON lines or Parquet, merged in exchange-time order across symbols and days";

    public static Command Build(CliContext ctx)
    {
        var cmd = Verb.Create("export", Summary, """
            Decimals are exact text; timestamp is epoch milliseconds of the exchange time. --full adds every stored
            column (receive time, ids, flags); import csv of such a file gives back every value exactly.
            parquet writes every column to --out: times as INT64 nanoseconds (UTC), prices, quantities and decimals as
            DECIMAL(18, scale) exactly, text trade ids as strings; zstd at its fastest level, row groups of 1 M rows; the
            file appears under its name only when complete.

            Examples:
              tickengine export csv --data data --schema trades --symbol BTCUSDT --out trades.csv
              tickengine export jsonl --data data --schema l2 --start 2024-08-08T23:55:00Z --end 2024-08-08T23:56:00Z
              tickengine export parquet --data data --schema deltas --symbol BTCUSDT --out deltas.parquet
            """);
        var format = new Argument<string>("format") { Description = "csv, jsonl or parquet" };
        format.AcceptOnlyFromAmong("csv", "jsonl", "parquet");
        var path = new Argument<string?>("path") { Hidden = true, Arity = ArgumentArity.ZeroOrOne };
        var data = Vocabulary.Data("a data root, or one segment file");
        var schema = new Option<string?>("--schema") { Description = $"{Vocabulary.SchemaNames} (needed for a data root)", HelpName = "S" };
        var start = Vocabulary.Time("--start", "first exchange time to include (epoch ms or ISO-8601)");
        var end = Vocabulary.Time("--end", "exchange time to stop at (exclusive)");
        var symbol = Vocabulary.Symbol("only these symbols");
        var exchange = Vocabulary.Exchange("only these exchanges");
        var output = Vocabulary.Text("--out", "write to FILE instead of stdout", "FILE");
        var full = Vocabulary.Flag("--full", "every stored column (receive time, ids, flags)");
        var quiet = Vocabulary.Quiet();
        cmd.Arguments.Add(format); cmd.Arguments.Add(path);
        data.AddTo(cmd); symbol.AddTo(cmd); exchange.AddTo(cmd);
        var session = Vocabulary.Text("--session", "a recording session's time range, exchanges and symbols (tickengine sessions list)", "ID");
        foreach (var o in new Option[] { schema, start, end, output, full, quiet, session }) cmd.Options.Add(o);
        cmd.SetAction(r =>
        {
            string p = Paths.DataOrPositional(data, path, r, ctx);
            long from = r.GetValue(start) ?? long.MinValue, to = r.GetValue(end) ?? long.MaxValue;
            if (to <= from) throw new UsageException("--end must be after --start");
            SchemaKind? kind = r.GetValue(schema) is { } st
                ? SegmentSchema.TryParseName(st, out var k) ? k : throw new UsageException($"--schema must be {Vocabulary.SchemaNames}, got '{st}'")
                : null;
            var symbols = symbol.Get(r, ctx.Error);
            var exchanges = exchange.Get(r, ctx.Error);
            if (r.GetValue(session) is { } sid)
            {
                if (r.GetValue(start) is not null || r.GetValue(end) is not null) throw new UsageException("give --session or --start/--end, not both");
                if (!Directory.Exists(p)) throw new UsageException($"--session needs --data to be a data root, got '{p}'");
                var (a, b, xs, ss) = SessionsCommand.Range(p, sid);
                (from, to) = (a, b);
                exchanges ??= xs.ToArray();
                symbols ??= ss.ToArray();
            }
            return Run(r.GetValue(format)!, p, kind, from, to, symbols, exchanges, r.GetValue(output), r.GetValue(full), r.GetValue(quiet), ctx);
        });
        return cmd;
    }

    /// <summary>
    /// The reader's rows as CSV (with its header) or JSON lines into <paramref name="o"/>, at most <paramref name="limit"/>,
    /// until the reader ends or <paramref name="cancel"/>; returns the rows written (export, and the service's history).
    /// A damaged segment ends it with an <see cref="InputException"/> saying how many rows came before.
    /// </summary>
    public static long WriteRows(ReplayReader reader, string format, Utf8Output o, bool full, long limit, CancellationToken cancel, Action<long>? progress = null)
    {
        SegmentSchema? first = null;
        byte[][] names = [];
        long rows = 0;
        try
        {
            while (rows < limit && reader.MoveNext())
            {
                var c = reader.Current;
                if (reader.CurrentTag is not Names tag)
                {
                    var s = c.Reader.Schema;
                    if (first is null)
                    {
                        first = s;
                        if (format == "csv") o.Raw(Encoding.UTF8.GetBytes(ExportLayout.Header(first, full) + "\n"));
                        names = ExportLayout.QuotedNames(first);
                    }
                    else if (s.Depth != first.Depth)
                        throw new InputException($"{c.Reader.Path}: holds {s.Name} rows of depth {s.Depth}; the export started with depth {first.Depth}: export them separately");
                    tag = new Names(Encoding.UTF8.GetBytes(c.Reader.Header.Symbol), Encoding.UTF8.GetBytes(c.Reader.Header.Exchange));
                    reader.CurrentTag = tag;
                }
                if (format == "csv") ExportLayout.WriteCsv(o, c, tag.Symbol, tag.Exchange, full);
                else ExportLayout.WriteJson(o, c, tag.Symbol, tag.Exchange, names);
                if ((++rows & 0xFFFFF) == 0) progress?.Invoke(rows);
                if (cancel.IsCancellationRequested) break;
            }
        }
        catch (StorageFormatException ex)
        {
            o.Flush();
            throw new InputException($"{ex.Message}; the {rows:N0} rows before it were exported");
        }
        return rows;
    }

    private static int Run(string format, string path, SchemaKind? kind, long start, long end, string[]? symbols, string[]? exchanges, string? outPath, bool full, bool quiet, CliContext ctx)
    {
        var selection = new ReplaySelection { StartNs = start, EndNs = end, Symbols = symbols, Exchanges = exchanges, Damage = DamagePolicy.Throw };
        if (File.Exists(path))
        {
            using var r = Storage.Reading.SegmentReader.Open(path);
            if (kind is { } k && k != r.Schema.Kind) throw new UsageException($"{path} holds {r.Schema.Name} rows, not {SegmentSchema.NameOf(k)}");
            kind = r.Schema.Kind;
            selection = selection with { Files = [path] };
        }
        else if (Directory.Exists(path))
        {
            if (kind is null) throw new UsageException($"{path} is a data root: say which rows with --schema {Vocabulary.SchemaNames}");
            selection = selection with { Root = path };
        }
        else throw new UsageException($"--data {path}: no such file or directory");
        selection = selection with { Schemas = new HashSet<SchemaKind> { kind!.Value } };
        using var reader = new ReplayReader(selection);
        foreach (var link in reader.SkippedLinks.Distinct()) ctx.Error.WriteLine($"note: {link} is a symbolic link: not followed");
        if (reader.SegmentCount == 0)
            throw new InputException($"{path}: no segments of schema {SegmentSchema.NameOf(kind.Value)}{(symbols is null ? "" : $" for symbol {string.Join(",", symbols)}")}{(exchanges is null ? "" : $" on {string.Join(",", exchanges)}")}");
        if (outPath is not null && Directory.Exists(outPath)) throw new UsageException($"--out {outPath} is a directory; give a file name");
        if (outPath is not null) Paths.CheckOutsideData(outPath, path, "--out");
        if (format == "parquet") return Parquet(reader, kind!.Value, outPath ?? throw new UsageException("export parquet needs --out FILE.parquet"), quiet, ctx);
        Stream stream = outPath is null ? ctx.OpenStandardOutput() : new FileStream(outPath, FileMode.Create, FileAccess.Write, FileShare.Read, 1 << 16);
        using var o = new Utf8Output(stream);
        var sw = Stopwatch.StartNew();
        long lastReport = 0;
        long rows = WriteRows(reader, format, o, full, long.MaxValue, ctx.Cancel, n =>
        {
            if (!quiet && sw.ElapsedMilliseconds - lastReport > 1000)
            {
                lastReport = sw.ElapsedMilliseconds;
                ctx.Error.WriteLine($"export: {n:N0} rows, {n / sw.Elapsed.TotalSeconds:N0} rows/s");
            }
        });
        o.Flush();
        if (ctx.Cancel.IsCancellationRequested) throw new InputException($"stopped by Ctrl+C or SIGTERM after {rows:N0} rows: the output is incomplete");
        if (!quiet && outPath is not null) ctx.Error.WriteLine($"export: {rows:N0} rows to {outPath} in {sw.Elapsed.TotalSeconds:F2} s");
        return 0;
    }

    /// <summary>
    /// Every selected row into one Parquet file, its decimal columns at the largest scales among the segments (a
    /// recording's parts may differ), text trade ids as strings where any segment has them.
    /// </summary>
    private static int Parquet(ReplayReader reader, SchemaKind kind, string outPath, bool quiet, CliContext ctx)
    {
        int ps = 0, qs = 0, ds = -1, depth = 0;
        bool textIds = false;
        foreach (var file in reader.SegmentPaths)
        {
            var h = SegmentHeader.ReadFile(file);
            ps = Math.Max(ps, h.Schema.PriceScale);
            qs = Math.Max(qs, h.Schema.QuantityScale);
            ds = Math.Max(ds, h.Schema.DecimalScale);
            textIds |= h.Schema.TextTradeIds;
            if (depth != 0 && h.Schema.Depth != depth) throw new InputException($"{file}: holds {h.Schema.Name} rows of depth {h.Schema.Depth}; others of depth {depth}: export them separately");
            depth = h.Schema.Depth;
        }
        var target = SegmentSchema.Create(kind, Math.Max(depth, 1), ps, qs, textIds, ds);
        var sw = Stopwatch.StartNew();
        var row = new long[target.ColumnCount + 1];
        var writer = new Engine.Export.ParquetRowsWriter(outPath, target);
        try
        {
            long lastReport = 0;
            while (reader.MoveNext())
            {
                var c = reader.Current;
                var schema = c.Reader.Schema;
                for (int k = 0; k < schema.ColumnCount; k++) row[k] = c[k];
                if (!writer.Append(reader.Exchange, reader.Symbol, row.AsSpan(0, schema.ColumnCount), schema))
                    throw new InputException($"{c.Reader.Path}: a value does not fit 64 bits at the scales {ps}/{qs} of the other segments: export them separately");
                if ((writer.Rows & 0xFFFFF) == 0)
                {
                    if (ctx.Cancel.IsCancellationRequested) break;
                    if (!quiet && sw.ElapsedMilliseconds - lastReport > 1000)
                    {
                        lastReport = sw.ElapsedMilliseconds;
                        ctx.Error.WriteLine($"export: {writer.Rows:N0} rows, {writer.Rows / sw.Elapsed.TotalSeconds:N0} rows/s");
                    }
                }
            }
            if (ctx.Cancel.IsCancellationRequested) throw new InputException($"stopped by Ctrl+C or SIGTERM after {writer.Rows:N0} rows: no file was written");
            writer.CompleteAsync().AsTask().GetAwaiter().GetResult();
        }
        catch (StorageFormatException ex)
        {
            throw new InputException($"{ex.Message}; no file was written");
        }
        finally
        {
            writer.DisposeAsync().AsTask().GetAwaiter().GetResult();
        }
        if (!quiet) ctx.Error.WriteLine($"export: {writer.Rows:N0} rows to {outPath} in {sw.Elapsed.TotalSeconds:F2} s ({writer.Rows / Math.Max(1e-9, sw.Elapsed.TotalSeconds):N0} rows/s, {new FileInfo(outPath).Length:N0} bytes)");
        return 0;
    }

    /// <summary>A segment's symbol and exchange as UTF-8, made once per segment.</summary>
    private sealed record Names(byte[] Symbol, byte[] Exchange);
}
