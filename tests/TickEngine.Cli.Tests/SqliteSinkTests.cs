using Microsoft.Data.Sqlite;
using TickEngine.Storage.Format;
using TickEngine.Storage.Layout;
using TickEngine.Storage.Numerics;
using TickEngine.Storage.Reading;
using TickEngine.Tests.Shared;
using Xunit;
using Xunit.Abstractions;

namespace TickEngine.Cli.Tests;

/// <summary>
/// The SQLite sink: every committed row of every segment in its schema's table exactly once, value for value, read
/// back with SQLite's own library; the watermark (the rows held of each segment) equals the rows there; after a
/// SIGKILL mid-transaction and a restart, still every row once.
/// </summary>
public class SqliteSinkTests(ITestOutputHelper output)
{
    /// <summary>Checks the database against every segment of the root, row for row; returns the rows checked.</summary>
    internal static long AssertMirrors(string root, string file)
    {
        using var db = new SqliteConnection($"Data Source={file};Mode=ReadOnly;Pooling=False");
        db.Open();
        var marks = new Dictionary<string, long>();
        using (var c = db.CreateCommand())
        {
            c.CommandText = "SELECT stream, day, part, end_row FROM tickengine_watermarks";
            using var r = c.ExecuteReader();
            while (r.Read()) marks[$"{r.GetString(0)}|{r.GetInt64(1)}|{r.GetInt32(2)}"] = r.GetInt64(3);
        }
        long rows = 0;
        var perTable = new Dictionary<string, long>();
        foreach (var stored in StoredSegment.All(root))
        {
            var (path, exchange, symbol, day, schema, segRows) = (stored.Path, stored.Exchange, stored.Symbol, stored.Day, stored.Schema, stored.Rows);
            string key = stored.WatermarkKey;
            Assert.True(marks.TryGetValue(key, out long end), $"{key}: no watermark");
            Assert.True(end == segRows.Count, $"{key}: the watermark says {end} rows, the segment has {segRows.Count}");
            perTable[schema.Name] = perTable.GetValueOrDefault(schema.Name) + segRows.Count;
            // The segment's rows, in order of exchange time then insertion, against the table's rows of that segment's day.
            using var cmd = db.CreateCommand();
            long dayEnd = day + 86_400_000_000_000;
            cmd.CommandText = $"SELECT * FROM {schema.Name} WHERE exchange = $e AND symbol = $s AND exchange_time_ns >= $a AND exchange_time_ns < $b ORDER BY rowid";
            cmd.Parameters.AddWithValue("$e", exchange);
            cmd.Parameters.AddWithValue("$s", symbol);
            cmd.Parameters.AddWithValue("$a", day);
            cmd.Parameters.AddWithValue("$b", dayEnd);
            using var r = cmd.ExecuteReader();
            var ordinal = Enumerable.Range(0, r.FieldCount).ToDictionary(r.GetName, i => i);
            var inDay = stored.RowsOfItsDay.ToList();
            int i = 0;
            while (r.Read())
            {
                Assert.True(i < inDay.Count, $"{path}: more rows in the table than the segment holds in its day");
                var seg = inDay[i];
                for (int k = 0; k < schema.ColumnCount; k++)
                {
                    var col = schema.Columns[k];
                    if (schema.TextTradeIds && k == TradeColumns.TradeIdLo) continue;
                    int o = ordinal[col.Kind == ColumnKind.Timestamp ? col.Name + "_ns" : col.Name];
                    string where = $"{path} row {i} {col.Name}";
                    switch (col.Kind)
                    {
                        case ColumnKind.Price or ColumnKind.Quantity or ColumnKind.Decimal:
                            Assert.True(r.GetString(o) == FixedDecimal.ToString(seg[k], col.Scale), $"{where}: {r.GetString(o)} in SQLite");
                            break;
                        case ColumnKind.Enum:
                            Assert.False(string.IsNullOrEmpty(r.GetString(o)), where);
                            break;
                        case ColumnKind.Id when schema.TextTradeIds && k == TradeColumns.TradeId:
                            Assert.True(r.GetString(o) == TradeIds.ToText(seg[k], seg[TradeColumns.TradeIdLo], seg[TradeColumns.Flags]), where);
                            break;
                        default:
                            Assert.True(r.GetInt64(o) == seg[k], $"{where}: {r.GetInt64(o)} in SQLite, {seg[k]} in the segment");
                            break;
                    }
                }
                i++;
            }
            Assert.True(i == inDay.Count, $"{path}: {inDay.Count} rows of its day, {i} in SQLite");
            rows += segRows.Count;
        }
        foreach (var (table, count) in perTable)
        {
            using var c = db.CreateCommand();
            c.CommandText = $"SELECT count(*) FROM {table}";
            Assert.True((long)c.ExecuteScalar()! == count, $"{table}: {c.ExecuteScalar()} rows in SQLite, {count} in the segments: a row twice");
        }
        return rows;
    }

    [Fact]
    public void ACaptureRecordedWithTheSqliteSinkIsMirroredRowForRow()
    {
        using var dir = new TempDir();
        string root = dir.File("root"), db = dir.File("ticks.db");
        var r = CliRunner.Run("record", "--exchange", "binance", "--capture", RepoPaths.BinanceSpotCapture, "--data", root, "--sink", $"sqlite:{db},batch=5000", "--quiet");
        Assert.True(r.ExitCode == 0, r.Error);
        long rows = AssertMirrors(root, db);
        output.WriteLine($"{rows:N0} rows mirrored");
        Assert.True(rows > 130_000);
    }

    [Fact]
    public void DbLoadFillsADatabaseFromADataRootAndARepeatDoublesNothing()
    {
        using var dir = new TempDir();
        string root = dir.File("root"), db = dir.File("ticks.db");
        var rec = CliRunner.Run("record", "--exchange", "binance", "--capture", RepoPaths.BinanceSpotCapture, "--data", root, "--quiet");
        Assert.True(rec.ExitCode == 0, rec.Error);
        var load = CliRunner.Run("db", "load", "--data", root, "--sink", $"sqlite:{db}");
        Assert.True(load.ExitCode == 0, load.Error);
        long rows = AssertMirrors(root, db);
        var again = CliRunner.Run("db", "load", "--data", root, "--sink", $"sqlite:{db}");
        Assert.True(again.ExitCode == 0, again.Error);
        Assert.Equal(rows, AssertMirrors(root, db));
        using var c = new SqliteConnection($"Data Source={db}");
        c.Open();
        using var cmd = c.CreateCommand();
        cmd.CommandText = "SELECT count(*) FROM tickengine_sessions";
        Assert.Equal(1L, (long)cmd.ExecuteScalar()!); // the record run's session, copied
        output.WriteLine($"{rows:N0} rows loaded once, twice run");
    }

    [Fact]
    public void AfterSigkillAndARestartTheDatabaseHoldsEveryRowOnce()
    {
        using var dir = new TempDir();
        string root = dir.File("root"), db = dir.File("ticks.db");
        // Run 1 keeps one transaction open (a million rows or a minute): killed with SIGKILL once the segments have
        // committed thousands of rows, all of them given to the open transaction and none committed to the database.
        using (var first = ChildProcess.Start("record", "--exchange", "sim", "--rate", "4000", "--data", root, "--sink", $"sqlite:{db},batch=1000000,age=60s"))
        {
            var sw = System.Diagnostics.Stopwatch.StartNew();
            while (sw.Elapsed < TimeSpan.FromSeconds(60) && SegmentRows(root) < 8_000)
            {
                Assert.False(first.Exited, first.Error);
                Thread.Sleep(100);
            }
            first.KillHard();
            output.WriteLine($"run 1 killed after {sw.Elapsed.TotalSeconds:F1} s with {Committed(db):N0} rows committed to SQLite");
        }
        // What the segments committed that the database did not: the open transaction's rows, lost with it.
        long segmentRows = SegmentRows(root);
        long behind = segmentRows - Committed(db);
        output.WriteLine($"after the kill: {segmentRows:N0} rows committed in the segments, the database {behind:N0} behind");
        Assert.True(behind > 0, "the kill left the database behind the segments: the restart has something to make good");
        var rec = CliRunner.Run("record", "--exchange", "sim", "--rate", "4000", "--duration", "3", "--data", root, "--sink", $"sqlite:{db}", "--summary-json", dir.File("summary.json"));
        Assert.True(rec.ExitCode == 0, rec.Error);
        var s = System.Text.Json.Nodes.JsonNode.Parse(File.ReadAllText(dir.File("summary.json")))!["sinks"]![0]!;
        output.WriteLine(s.ToJsonString());
        Assert.Equal(0, s["lag_rows"]!.GetValue<long>());
        long rows = AssertMirrors(root, db);
        output.WriteLine($"{rows:N0} rows: every row once");
    }

    private static long SegmentRows(string root)
    {
        if (!Directory.Exists(root)) return 0;
        long rows = 0;
        foreach (var p in DataRoot.FindSegments(root))
        {
            try { using var r = SegmentReader.Open(p); rows += r.Blocks.Sum(b => (long)b.Rows); }
            catch (StorageFormatException) { } // a header not written yet
        }
        return rows;
    }

    private static long Committed(string db)
    {
        try
        {
            using var c = new SqliteConnection($"Data Source={db};Mode=ReadOnly;Pooling=False");
            c.Open();
            using var q = c.CreateCommand();
            q.CommandText = "SELECT coalesce(sum(end_row), 0) FROM tickengine_watermarks";
            return (long)q.ExecuteScalar()!;
        }
        catch (SqliteException) { return 0; } // not created yet
    }
}
