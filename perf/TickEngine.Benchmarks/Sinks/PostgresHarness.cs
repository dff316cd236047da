using System.Diagnostics;
using System.Globalization;
using System.Text;
using Npgsql;
using TickEngine.Benchmarks.Inputs;
using TickEngine.Engine.Capture;
using TickEngine.Engine.Pipeline;
using TickEngine.Engine.Sinks;
using TickEngine.Engine.Sinks.Postgres;
using TickEngine.Storage.Format;
using TickEngine.Storage.Layout;
using TickEngine.Storage.Numerics;
using TickEngine.Storage.Reading;
using TickEngine.Tests.Shared;

namespace TickEngine.Benchmarks.Sinks;

/// <summary>
/// <c>pg-speed [--repeat N]</c>: the PostgreSQL sink's load speed against a plain <c>COPY ... FROM STDIN (FORMAT csv)</c>
/// of the same rows in the same run, on a private cluster started for the run (Debian's PostgreSQL, fsync off for
/// both). The real spot capture is recorded once; then, alternating into fresh tables: the sink attached with
/// <c>from=start</c> by a run that records nothing (binary COPY, rows and watermarks in one transaction), and the
/// same rows written as CSV text (made before the clock starts) and loaded with one COPY per table.
/// </summary>
public static class PostgresHarness
{
    public static int Run(string[] args)
    {
        int repeat = (int)HarnessArgs.Long(args, "--repeat", 3);
        var inv = CultureInfo.InvariantCulture;
        string tmp = Path.Combine(Path.GetTempPath(), "tickengine-pg-speed-" + Guid.NewGuid().ToString("N"));
        var sinkTimes = new List<double>();
        var copyTimes = new List<double>();
        long rows = 0;
        using var pg = new PostgresServer();
        try
        {
            string root = Path.Combine(tmp, "root");
            rows = SinkLoad.RecordCapture(root);
            var csv = Csv(root);
            for (int r = -1; r < repeat; r++)
            {
                Reset(pg.ConnectionString);
                double s1 = SinkLoad.Backfill(root, new PostgresSink(pg.ConnectionString), rows);
                Reset(pg.ConnectionString);
                var sw = Stopwatch.StartNew();
                long copied = Copy(pg.ConnectionString, csv);
                double s2 = sw.Elapsed.TotalSeconds;
                if (copied != rows) throw new InvalidOperationException($"COPY: {copied} of {rows} rows");
                if (r >= 0) { sinkTimes.Add(s1); copyTimes.Add(s2); }
            }
        }
        finally
        {
            try { Directory.Delete(tmp, true); } catch (IOException) { }
        }
        double Median(List<double> v) { var s = v.Order().ToList(); return s[s.Count / 2]; }
        double a = Median(sinkTimes), b = Median(copyTimes);
        Console.WriteLine($"capture {Path.GetFileName(FixtureTrades.BinanceSpotCapture)}: {rows:N0} rows over every schema, {repeat} runs each, medians");
        Console.WriteLine(string.Format(inv, "  {0,-76} {1,7:F3} s  {2,10:N0} rows/s", "postgres sink, backfill from the segments (binary COPY + watermarks, exactly once)", a, rows / a));
        Console.WriteLine(string.Format(inv, "  {0,-76} {1,7:F3} s  {2,10:N0} rows/s  (sink x{3:F2})", "plain COPY FROM STDIN (FORMAT csv) of the same rows", b, rows / b, a / b));
        return 0;
    }

    private static void Reset(string cs)
    {
        using var db = new NpgsqlConnection(cs);
        db.Open();
        using var c = new NpgsqlCommand("DROP SCHEMA public CASCADE; CREATE SCHEMA public;", db);
        c.ExecuteNonQuery();
    }

    /// <summary>Per schema: the table's definition (as the sink's) and the rows as CSV text.</summary>
    private static List<(string Table, string Create, string Columns, string Csv, long Rows)> Csv(string root)
    {
        var tables = new Dictionary<string, (string Create, string Columns, StringBuilder Text, long Rows)>();
        foreach (var path in DataRoot.FindSegments(root))
        {
            string schemaDir = Path.GetDirectoryName(path)!, symbolDir = Path.GetDirectoryName(schemaDir)!;
            string exchange = Path.GetFileName(Path.GetDirectoryName(symbolDir)!), symbol = Path.GetFileName(symbolDir);
            using var reader = SegmentReader.Open(path);
            var schema = reader.Schema;
            var cols = Enumerable.Range(0, schema.ColumnCount).Where(k => !(schema.TextTradeIds && k == TradeColumns.TradeIdLo)).ToList();
            if (!tables.TryGetValue(schema.Name, out var t))
            {
                var defs = cols.Select(k => schema.Columns[k]).Select(c => c.Kind switch
                {
                    ColumnKind.Timestamp => $"{c.Name} timestamptz, {c.Name}_ns bigint",
                    ColumnKind.Price or ColumnKind.Quantity or ColumnKind.Decimal => $"{c.Name} numeric",
                    ColumnKind.Enum => $"{c.Name} text",
                    _ => $"{c.Name} {(c.Name == "trade_id" ? "text" : "bigint")}",
                });
                var names = cols.Select(k => schema.Columns[k]).Select(c => c.Kind == ColumnKind.Timestamp ? $"{c.Name}, {c.Name}_ns" : c.Name);
                t = ($"CREATE TABLE {schema.Name} (exchange text, symbol text, {string.Join(", ", defs)})", "exchange, symbol, " + string.Join(", ", names), new StringBuilder(), 0);
            }
            using var cur = new SegmentCursor(reader, ownsReader: false);
            while (cur.MoveNext())
            {
                t.Text.Append(exchange).Append(',').Append(symbol);
                foreach (var k in cols)
                {
                    var col = schema.Columns[k];
                    long v = cur[k];
                    t.Text.Append(',');
                    if (col.Kind == ColumnKind.Timestamp) t.Text.Append(DateTime.UnixEpoch.AddTicks(v / 100).ToString("yyyy-MM-dd HH:mm:ss.ffffff+00", CultureInfo.InvariantCulture)).Append(',').Append(v);
                    else if (col.Kind is ColumnKind.Price or ColumnKind.Quantity or ColumnKind.Decimal) t.Text.Append(FixedDecimal.ToString(v, col.Scale));
                    else t.Text.Append(v.ToString(CultureInfo.InvariantCulture));
                }
                t.Text.Append('\n');
                t.Rows++;
            }
            tables[schema.Name] = t;
        }
        return tables.Select(kv => (kv.Key, kv.Value.Create, kv.Value.Columns, kv.Value.Text.ToString(), kv.Value.Rows)).ToList();
    }

    private static long Copy(string cs, List<(string Table, string Create, string Columns, string Csv, long Rows)> tables)
    {
        using var db = new NpgsqlConnection(cs);
        db.Open();
        long rows = 0;
        using var tx = db.BeginTransaction();
        foreach (var t in tables)
        {
            using (var c = new NpgsqlCommand(t.Create, db, tx)) c.ExecuteNonQuery();
            using (var w = db.BeginTextImport($"COPY {t.Table} ({t.Columns}) FROM STDIN (FORMAT csv)")) w.Write(t.Csv);
            rows += t.Rows;
        }
        tx.Commit();
        return rows;
    }
}
