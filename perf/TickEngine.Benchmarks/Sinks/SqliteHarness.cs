using System.Diagnostics;
using System.Globalization;
using Microsoft.Data.Sqlite;
using TickEngine.Benchmarks.Inputs;
using TickEngine.Engine.Capture;
using TickEngine.Engine.Pipeline;
using TickEngine.Engine.Sinks;
using TickEngine.Engine.Sinks.Sqlite;
using TickEngine.Storage.Format;
using TickEngine.Storage.Layout;
using TickEngine.Storage.Numerics;
using TickEngine.Storage.Reading;

namespace TickEngine.Benchmarks.Sinks;

/// <summary>
/// <c>sqlite-speed [--repeat N]</c>: the SQLite sink's load speed against a plain batched insert of the same rows in
/// the same run. The real spot capture is recorded once; then, alternating: the sink attached with <c>from=start</c>
/// to that root by a run that records nothing (every row read back from the segments and committed with its
/// watermarks), and a plain loop that reads the same segments and inserts the same columns (exact decimals as text)
/// in transactions of 50,000 rows with one prepared statement per table. Both in WAL mode with synchronous=FULL.
/// </summary>
public static class SqliteHarness
{
    public static int Run(string[] args)
    {
        int repeat = (int)HarnessArgs.Long(args, "--repeat", 3);
        var inv = CultureInfo.InvariantCulture;
        string tmp = Path.Combine(Path.GetTempPath(), "tickengine-sqlite-speed-" + Guid.NewGuid().ToString("N"));
        var sinkTimes = new List<double>();
        var plainTimes = new List<double>();
        long rows = 0;
        try
        {
            string root = Path.Combine(tmp, "root");
            rows = SinkLoad.RecordCapture(root);
            for (int r = -1; r < repeat; r++)
            {
                double s1 = SinkLoad.Backfill(root, new SqliteSink(Path.Combine(tmp, $"sink-{r}.db")), rows);
                var sw = Stopwatch.StartNew();
                long plain = Plain(root, Path.Combine(tmp, $"plain-{r}.db"));
                double s2 = sw.Elapsed.TotalSeconds;
                if (plain != rows) throw new InvalidOperationException($"plain insert: {plain} of {rows} rows");
                if (r >= 0) { sinkTimes.Add(s1); plainTimes.Add(s2); }
            }
        }
        finally
        {
            try { Directory.Delete(tmp, true); } catch (IOException) { }
        }
        double Median(List<double> v) { var s = v.Order().ToList(); return s[s.Count / 2]; }
        double a = Median(sinkTimes), b = Median(plainTimes);
        Console.WriteLine($"capture {Path.GetFileName(FixtureTrades.BinanceSpotCapture)}: {rows:N0} rows over every schema, {repeat} runs each, medians");
        Console.WriteLine(string.Format(inv, "  {0,-72} {1,7:F3} s  {2,10:N0} rows/s", "sqlite sink, backfill from the segments (rows + watermarks, exactly once)", a, rows / a));
        Console.WriteLine(string.Format(inv, "  {0,-72} {1,7:F3} s  {2,10:N0} rows/s  (sink x{3:F2})", "plain batched insert of the same rows (50,000 a transaction)", b, rows / b, a / b));
        return 0;
    }

    /// <summary>The same rows and columns inserted with nothing but prepared statements in large transactions.</summary>
    private static long Plain(string root, string file)
    {
        using var db = new SqliteConnection($"Data Source={file};Pooling=False");
        db.Open();
        using (var c = db.CreateCommand()) { c.CommandText = "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL"; c.ExecuteNonQuery(); }
        var commands = new Dictionary<string, SqliteCommand>();
        long rows = 0, inTx = 0;
        var tx = db.BeginTransaction();
        foreach (var path in DataRoot.FindSegments(root))
        {
            string schemaDir = Path.GetDirectoryName(path)!, symbolDir = Path.GetDirectoryName(schemaDir)!;
            string exchange = Path.GetFileName(Path.GetDirectoryName(symbolDir)!), symbol = Path.GetFileName(symbolDir);
            using var reader = SegmentReader.Open(path);
            var schema = reader.Schema;
            var cols = Enumerable.Range(0, schema.ColumnCount).Where(k => !(schema.TextTradeIds && k == TradeColumns.TradeIdLo)).ToList();
            if (!commands.TryGetValue(schema.Name, out var cmd))
            {
                using (var c = db.CreateCommand())
                {
                    c.Transaction = tx;
                    c.CommandText = $"CREATE TABLE {schema.Name} (exchange TEXT, symbol TEXT, {string.Join(", ", cols.Select(k => $"c{k} {(schema.Columns[k].Kind is ColumnKind.Price or ColumnKind.Quantity or ColumnKind.Decimal or ColumnKind.Enum ? "TEXT" : "INTEGER")}"))})";
                    c.ExecuteNonQuery();
                }
                cmd = db.CreateCommand();
                cmd.CommandText = $"INSERT INTO {schema.Name} VALUES ($e, $s, {string.Join(", ", cols.Select(k => "$c" + k))})";
                cmd.Parameters.Add(new SqliteParameter("$e", null));
                cmd.Parameters.Add(new SqliteParameter("$s", null));
                foreach (var k in cols) cmd.Parameters.Add(new SqliteParameter("$c" + k, null));
                commands[schema.Name] = cmd;
            }
            cmd.Transaction = tx;
            using var cur = new SegmentCursor(reader, ownsReader: false);
            while (cur.MoveNext())
            {
                cmd.Parameters[0].Value = exchange;
                cmd.Parameters[1].Value = symbol;
                int i = 2;
                foreach (var k in cols)
                {
                    var col = schema.Columns[k];
                    long v = cur[k];
                    cmd.Parameters[i++].Value = col.Kind is ColumnKind.Price or ColumnKind.Quantity or ColumnKind.Decimal ? FixedDecimal.ToString(v, col.Scale)
                        : col.Kind == ColumnKind.Enum ? v.ToString(CultureInfo.InvariantCulture) : v;
                }
                cmd.ExecuteNonQuery();
                rows++;
                if (++inTx == 50_000)
                {
                    tx.Commit();
                    tx.Dispose();
                    tx = db.BeginTransaction();
                    foreach (var c in commands.Values) c.Transaction = tx;
                    inTx = 0;
                }
            }
        }
        tx.Commit();
        tx.Dispose();
        foreach (var c in commands.Values) c.Dispose();
        return rows;
    }
}
