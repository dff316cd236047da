using Npgsql;
using TickEngine.Storage.Format;
using TickEngine.Storage.Layout;
using TickEngine.Storage.Numerics;
using TickEngine.Storage.Reading;
using TickEngine.Tests.Shared;
using Xunit;
using Xunit.Abstractions;

namespace TickEngine.Cli.Tests;

/// <summary>
/// The PostgreSQL sink against a real PostgreSQL (a private cluster started for each test): every committed row in
/// its schema's table exactly once, value for value (exact numeric, ns times), read back with Npgsql; the watermark
/// equals the rows of each segment; an outage of the database mid-run, and a SIGKILL with an open transaction
/// followed by a restart, each leave every row exactly once.
/// </summary>
public class PostgresSinkTests(ITestOutputHelper output)
{
    /// <summary>A decimal's value as text without trailing zeros (numeric keeps its column's scale: 61824.00000000 is 61824).</summary>
    private static string Plain(decimal d) => (d / 1.0000000000000000000000000000m).ToString(System.Globalization.CultureInfo.InvariantCulture);

    internal static long AssertMirrors(string root, string connectionString)
    {
        using var db = new NpgsqlConnection(connectionString);
        db.Open();
        var marks = new Dictionary<string, long>();
        using (var c = new NpgsqlCommand("SELECT stream, day, part, end_row FROM tickengine_watermarks", db))
        using (var r = c.ExecuteReader())
            while (r.Read()) marks[$"{r.GetString(0)}|{r.GetInt64(1)}|{r.GetInt32(2)}"] = r.GetInt64(3);
        long rows = 0;
        var perTable = new Dictionary<string, long>();
        foreach (var stored in StoredSegment.All(root))
        {
            var (path, exchange, symbol, day, schema, segRows) = (stored.Path, stored.Exchange, stored.Symbol, stored.Day, stored.Schema, stored.Rows);
            string key = stored.WatermarkKey;
            Assert.True(marks.TryGetValue(key, out long end), $"{key}: no watermark");
            Assert.True(end == segRows.Count, $"{key}: the watermark says {end} rows, the segment has {segRows.Count}");
            perTable[schema.Name] = perTable.GetValueOrDefault(schema.Name) + segRows.Count;
            // Every row of the segment is in the table once: matched by its exact values.
            var inTable = new Dictionary<string, int>();
            using (var cmd = new NpgsqlCommand($"SELECT * FROM {schema.Name} WHERE exchange = $1 AND symbol = $2 AND exchange_time_ns >= $3 AND exchange_time_ns < $4", db))
            {
                cmd.Parameters.AddWithValue(exchange);
                cmd.Parameters.AddWithValue(symbol);
                cmd.Parameters.AddWithValue(day);
                cmd.Parameters.AddWithValue(day + 86_400_000_000_000);
                using var r = cmd.ExecuteReader();
                var ordinal = Enumerable.Range(0, r.FieldCount).ToDictionary(r.GetName, i => i);
                while (r.Read())
                {
                    var parts = new List<string>();
                    for (int k = 0; k < schema.ColumnCount; k++)
                    {
                        var col = schema.Columns[k];
                        if (schema.TextTradeIds && k == TradeColumns.TradeIdLo) continue;
                        int o = ordinal[col.Kind == ColumnKind.Timestamp ? col.Name + "_ns" : col.Name];
                        parts.Add(col.Kind switch
                        {
                            ColumnKind.Price or ColumnKind.Quantity or ColumnKind.Decimal => Plain(r.GetDecimal(o)),
                            ColumnKind.Enum or ColumnKind.Id when r.GetFieldType(o) == typeof(string) => r.GetString(o),
                            _ => r.GetInt64(o).ToString(System.Globalization.CultureInfo.InvariantCulture),
                        });
                        if (col.Kind == ColumnKind.Timestamp)
                            Assert.Equal(r.GetInt64(o) / 1000, (r.GetDateTime(ordinal[col.Name]).ToUniversalTime() - DateTime.UnixEpoch).Ticks / 10); // timestamptz to the microsecond
                    }
                    string text = string.Join("|", parts);
                    inTable[text] = inTable.GetValueOrDefault(text) + 1;
                }
            }
            foreach (var seg in stored.RowsOfItsDay)
            {
                var parts = new List<string>();
                for (int k = 0; k < schema.ColumnCount; k++)
                {
                    var col = schema.Columns[k];
                    if (schema.TextTradeIds && k == TradeColumns.TradeIdLo) continue;
                    parts.Add(col.Kind switch
                    {
                        ColumnKind.Price or ColumnKind.Quantity or ColumnKind.Decimal => Plain(decimal.Parse(FixedDecimal.ToString(seg[k], col.Scale), System.Globalization.CultureInfo.InvariantCulture)),
                        ColumnKind.Enum => schema.Kind switch
                        {
                            SchemaKind.Trades => seg[k] == (long)TradeSide.Buy ? "buy" : seg[k] == (long)TradeSide.Sell ? "sell" : "unknown",
                            SchemaKind.Deltas => seg[k] == (long)BookSide.Bid ? "bid" : seg[k] == (long)BookSide.Ask ? "ask" : "unknown",
                            SchemaKind.Status => ((StatusKind)seg[k]).ToString(),
                            _ => seg[k].ToString(System.Globalization.CultureInfo.InvariantCulture),
                        },
                        ColumnKind.Id when schema.Kind == SchemaKind.Trades && col.Name == "trade_id" =>
                            schema.TextTradeIds ? TradeIds.ToText(seg[k], seg[TradeColumns.TradeIdLo], seg[TradeColumns.Flags])! : seg[k].ToString(System.Globalization.CultureInfo.InvariantCulture),
                        _ => seg[k].ToString(System.Globalization.CultureInfo.InvariantCulture),
                    });
                }
                string text = string.Join("|", parts);
                Assert.True(inTable.TryGetValue(text, out int n) && n > 0, $"{path}: a row the table does not hold: {text}");
                inTable[text] = n - 1;
            }
            rows += segRows.Count;
        }
        foreach (var (table, count) in perTable)
        {
            using var c = new NpgsqlCommand($"SELECT count(*) FROM {table}", db);
            Assert.True((long)c.ExecuteScalar()! == count, $"{table}: {c.ExecuteScalar()} rows in PostgreSQL, {count} in the segments: a row twice");
        }
        return rows;
    }

    [Fact]
    public void ACaptureRecordedWithThePostgresSinkIsMirroredRowForRow()
    {
        using var pg = new PostgresServer();
        using var dir = new TempDir();
        string root = dir.File("root");
        var r = CliRunner.Run("record", "--exchange", "binance", "--capture", RepoPaths.BinanceSpotCapture, "--data", root, "--sink", $"postgres:{pg.ConnectionString},batch=20000", "--quiet");
        Assert.True(r.ExitCode == 0, r.Error);
        long rows = AssertMirrors(root, pg.ConnectionString);
        output.WriteLine($"{rows:N0} rows mirrored");
        Assert.True(rows > 130_000);
    }

    [Fact]
    [Trait("Category", "Loopback")]
    public void ADatabaseOutageMidRunLosesNothingAndDoublesNothing()
    {
        using var pg = new PostgresServer();
        using var dir = new TempDir();
        string root = dir.File("root");
        using var rec = ChildProcess.Start("record", "--exchange", "sim", "--rate", "3000", "--duration", "9", "--data", root,
            "--sink", $"postgres:{pg.ConnectionString},age=300ms", "--summary-json", dir.File("summary.json"));
        Thread.Sleep(2_500);
        pg.Stop();
        output.WriteLine("database stopped");
        Thread.Sleep(3_000);
        pg.Start();
        output.WriteLine("database started again");
        Assert.True(rec.WaitForExit(TimeSpan.FromSeconds(90)), "the recording did not end");
        Assert.True(rec.ExitCode == 0, rec.Error);
        var s = System.Text.Json.Nodes.JsonNode.Parse(File.ReadAllText(dir.File("summary.json")))!["sinks"]![0]!;
        output.WriteLine(s.ToJsonString());
        Assert.True(s["failures"]!.GetValue<long>() > 0, "the outage was met");
        Assert.Equal(0, s["lag_rows"]!.GetValue<long>());
        Assert.DoesNotContain("Password", s.ToJsonString(), StringComparison.OrdinalIgnoreCase);
        long rows = AssertMirrors(root, pg.ConnectionString);
        output.WriteLine($"{rows:N0} rows: every row once");
    }
}
