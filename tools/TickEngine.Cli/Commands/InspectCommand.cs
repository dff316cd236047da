using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using TickEngine.Cli.CommandLine;
using TickEngine.Storage.Format;
using TickEngine.Storage.Layout;
using TickEngine.Storage.Reading;

namespace TickEngine.Cli.Commands;

/// <summary><c>inspect PATH</c>: what a segment (or every segment of a data root) holds and whether it is intact.</summary>
public static class InspectCommand
{
    public const string Summary = "what a segment (or every segment of a data root) holds, its size, and whether it is intact";

    public static Command Build(CliContext ctx)
    {
        var cmd = Verb.Create("inspect", Summary, """
            Schema, rows, time range, blocks, bytes on disk, bytes per row and per column, compression ratio and
            checksum status (every block is verified). Exit code 1 when any segment is damaged.

            Examples:
              tickengine inspect --data data/binance/BTCUSDT/trades/2024-08-08.tks
              tickengine inspect --data data --json
            """);
        var path = new Argument<string?>("path") { Hidden = true, Arity = ArgumentArity.ZeroOrOne };
        var data = Vocabulary.Data("a segment file or a data root");
        var json = Vocabulary.Json();
        cmd.Arguments.Add(path);
        data.AddTo(cmd);
        cmd.Options.Add(json);
        cmd.SetAction(r => Run(Paths.DataOrPositional(data, path, r, ctx), r.GetValue(json), ctx));
        return cmd;
    }

    private static int Run(string path, bool json, CliContext ctx)
    {
        List<string> files;
        var skipped = new List<string>();
        if (File.Exists(path)) files = [path];
        else if (Directory.Exists(path)) files = DataRoot.FindSegments(path, skipped: skipped);
        else throw new UsageException($"--data {path}: no such file or directory");
        foreach (var link in skipped) ctx.Error.WriteLine($"note: {link} is a symbolic link: not followed");
        if (files.Count == 0) throw new InputException($"{path}: no segments (*.tks) found");
        var reports = new List<Dictionary<string, object?>>();
        bool damaged = false;
        foreach (var f in files)
        {
            if (ctx.Cancel.IsCancellationRequested) throw new InputException("stopped by Ctrl+C or SIGTERM: the report is incomplete");
            var rep = Inspect(f, ctx.Cancel);
            if (ctx.Cancel.IsCancellationRequested) throw new InputException("stopped by Ctrl+C or SIGTERM: the report is incomplete");
            if (rep["checksums"] as string != "ok") damaged = true;
            reports.Add(rep);
        }
        if (json)
        {
            object doc = reports.Count == 1 && File.Exists(path) ? reports[0] : new Dictionary<string, object?> { ["root"] = path, ["segments"] = reports };
            ctx.Out.WriteLine(JsonSerializer.Serialize(doc, new JsonSerializerOptions { WriteIndented = true }));
        }
        else
        {
            foreach (var r in reports) PrintHuman(r, ctx.Out);
            if (reports.Count > 1)
            {
                long rows = reports.Sum(r => r.GetValueOrDefault("rows") is long n ? n : 0), bytes = reports.Sum(r => r.GetValueOrDefault("bytes_on_disk") is long n ? n : 0);
                ctx.Out.WriteLine($"total: {reports.Count} segments, {rows:N0} rows, {bytes:N0} bytes");
            }
        }
        return damaged ? 1 : 0;
    }

    private static Dictionary<string, object?> Inspect(string file, CancellationToken cancel)
    {
        var rep = new Dictionary<string, object?> { ["path"] = file };
        long bytesOnDisk = new FileInfo(file).Length;
        rep["bytes_on_disk"] = bytesOnDisk;
        SegmentReader r;
        try { r = SegmentReader.Open(file); }
        catch (StorageFormatException e)
        {
            rep["checksums"] = "unreadable";
            rep["problems"] = new List<string> { e.Message };
            return rep;
        }
        using (r)
        {
            var schema = r.Schema;
            rep["exchange"] = r.Header.Exchange;
            rep["symbol"] = r.Header.Symbol;
            rep["schema"] = schema.Name;
            rep["depth"] = schema.Depth;
            rep["price_scale"] = schema.PriceScale;
            rep["quantity_scale"] = schema.QuantityScale;
            rep["format_version"] = $"{r.Header.Major}.{r.Header.Minor}";
            rep["day"] = TimeText.FormatIso(r.Header.DayStartNs)[..10];
            rep["state"] = r.Sealed ? "sealed" : "unsealed (a writer is appending, or stopped without sealing: committed blocks are read from the block chain)";
            rep["rows"] = r.TotalRows;
            rep["blocks"] = r.Blocks.Count;
            rep["block_rows_max"] = r.Header.BlockRows;
            if (r.Blocks.Count > 0)
            {
                long min = r.Blocks.Min(b => b.MinExchangeTime), max = r.Blocks.Max(b => b.MaxExchangeTime);
                rep["first_time"] = TimeText.FormatIso(min);
                rep["last_time"] = TimeText.FormatIso(max);
                rep["first_time_ns"] = min;
                rep["last_time_ns"] = max;
            }
            long used = r.UsedBytes;
            rep["bytes_used"] = used;
            long raw = r.TotalRows * schema.ColumnCount * 8;
            rep["raw_bytes"] = raw;
            rep["bytes_per_row"] = r.TotalRows > 0 ? Math.Round((double)used / r.TotalRows, 3) : null;
            rep["compression_ratio"] = used > 0 && r.TotalRows > 0 ? Math.Round((double)raw / used, 2) : null;
            var perColumn = r.ColumnStoredBytes();
            var cols = new Dictionary<string, object?>();
            for (int c = 0; c < schema.ColumnCount; c++)
                cols[schema.Columns[c].Name] = r.TotalRows > 0 ? Math.Round((double)perColumn[c] / r.TotalRows, 3) : 0;
            rep["column_bytes_per_row"] = cols;
            var problems = r.Verify(cancel);
            rep["checksums"] = problems.Count == 0 ? "ok" : "damaged";
            rep["blocks_verified"] = r.Blocks.Count;
            rep["problems"] = problems.Select(e => e.Message).ToList();
        }
        return rep;
    }

    private static void PrintHuman(Dictionary<string, object?> r, TextWriter o)
    {
        o.WriteLine($"segment  {r["path"]}");
        if (r["checksums"] as string == "unreadable")
        {
            o.WriteLine($"  problem          {((List<string>)r["problems"]!)[0]}");
            return;
        }
        var inv = CultureInfo.InvariantCulture;
        o.WriteLine($"  exchange/symbol  {r["exchange"]} / {r["symbol"]}");
        o.WriteLine($"  schema           {r["schema"]}{((int)r["depth"]! > 0 ? $" (depth {r["depth"]})" : "")}, price scale {r["price_scale"]}, quantity scale {r["quantity_scale"]}");
        o.WriteLine($"  format           {r["format_version"]}, {r["state"]}");
        o.WriteLine($"  day              {r["day"]}");
        o.WriteLine(string.Format(inv, "  rows             {0:N0}", r["rows"]));
        if (r.ContainsKey("first_time")) o.WriteLine($"  time range       {r["first_time"]} .. {r["last_time"]} (exchange time)");
        o.WriteLine(string.Format(inv, "  blocks           {0:N0} (at most {1:N0} rows each)", r["blocks"], r["block_rows_max"]));
        o.WriteLine(string.Format(inv, "  bytes on disk    {0:N0} ({1} bytes/row)", r["bytes_on_disk"], r["bytes_per_row"]));
        o.WriteLine(string.Format(inv, "  raw size         {0:N0} (8-byte columns); compression ratio {1}", r["raw_bytes"], r["compression_ratio"]));
        var cols = (Dictionary<string, object?>)r["column_bytes_per_row"]!;
        o.WriteLine("  bytes/row/column " + string.Join(", ", cols.Select(kv => string.Format(inv, "{0} {1}", kv.Key, kv.Value))));
        var problems = (List<string>)r["problems"]!;
        o.WriteLine(problems.Count == 0 ? $"  checksums        ok ({r["blocks_verified"]} blocks verified)" : $"  checksums        DAMAGED: {problems.Count} problem(s)");
        foreach (var pr in problems) o.WriteLine($"    - {pr}");
    }
}
