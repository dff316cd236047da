using DuckDB.NET.Data;
using TickEngine.Engine.Sinks.Parquet;
using TickEngine.Storage.Format;
using TickEngine.Storage.Layout;
using TickEngine.Storage.Reading;
using TickEngine.Tests.Shared;
using Xunit;
using Xunit.Abstractions;

namespace TickEngine.Cli.Tests;

/// <summary>
/// <c>record --sink parquet:DIR</c>: the Parquet files, read by a reader that is not ours (DuckDB), hold every row of
/// every segment exactly once, in order, with the segments' exact values: after a whole capture, and after the
/// recorder is killed with SIGKILL mid-run and started again.
/// </summary>
public class ParquetSinkTests(ITestOutputHelper output)
{
    private static string EnumText(SchemaKind kind, long v) => kind switch
    {
        SchemaKind.Trades => v == (long)TradeSide.Buy ? "buy" : v == (long)TradeSide.Sell ? "sell" : "unknown",
        SchemaKind.Deltas => v == (long)BookSide.Bid ? "bid" : v == (long)BookSide.Ask ? "ask" : "unknown",
        SchemaKind.Status => ((StatusKind)v).ToString(),
        _ => v.ToString(System.Globalization.CultureInfo.InvariantCulture),
    };

    /// <summary>
    /// Every segment under <paramref name="root"/> is covered by the sink's files of it, which chain from row 0 to the
    /// segment's last row with no gap and no overlap, and each file's rows (read by DuckDB) equal the segment's,
    /// value for value. Returns (segments, rows, files).
    /// </summary>
    internal static (int Segments, long Rows, int Files) AssertMirrors(string root, string pq)
    {
        using var db = new DuckDBConnection("DataSource=:memory:");
        db.Open();
        int segments = 0, files = 0;
        long rows = 0;
        var seen = new HashSet<string>();
        foreach (var path in DataRoot.FindSegments(root))
        {
            Assert.True(DataRoot.TryParseName(path, out long day, out int part));
            string schemaDir = Path.GetDirectoryName(path)!, symbolDir = Path.GetDirectoryName(schemaDir)!, exchangeDir = Path.GetDirectoryName(symbolDir)!;
            string exchange = Path.GetFileName(exchangeDir), symbol = Path.GetFileName(symbolDir);
            string dir = Path.Combine(pq, exchange, symbol, Path.GetFileName(schemaDir));
            using var reader = SegmentReader.Open(path);
            var schema = reader.Schema;
            var segRows = new List<long[]>();
            using (var c = new SegmentCursor(reader, ownsReader: false))
                while (c.MoveNext())
                {
                    var row = new long[schema.ColumnCount];
                    for (int k = 0; k < row.Length; k++) row[k] = c[k];
                    segRows.Add(row);
                }
            if (segRows.Count == 0) continue;
            segments++;
            var mine = Directory.Exists(dir)
                ? Directory.GetFiles(dir, "*.parquet").Select(f => (File: f, Ok: ParquetSink.TryParseFileName(f, out var from, out long to), From: from, To: to))
                    .Where(x => x.Ok && x.From.Day == day && x.From.Part == part).OrderBy(x => x.From.Row).ToList()
                : [];
            long next = 0;
            foreach (var f in mine)
            {
                Assert.True(f.From.Row == next, $"{path}: the sink's files jump from row {next} to {f.From.Row} ({Path.GetFileName(f.File)}): " + (f.From.Row > next ? "a hole" : "rows twice"));
                next = f.To;
                seen.Add(f.File);
                files++;
                using var cmd = db.CreateCommand();
                cmd.CommandText = $"SELECT * FROM read_parquet('{f.File.Replace("'", "''")}')";
                using var r = cmd.ExecuteReader();
                var ordinal = Enumerable.Range(0, r.FieldCount).ToDictionary(r.GetName, i => i);
                long i = f.From.Row;
                while (r.Read())
                {
                    Assert.True(i < segRows.Count, $"{f.File}: more rows than the segment");
                    var seg = segRows[(int)i];
                    Assert.Equal(exchange, r.GetString(ordinal["exchange"]));
                    Assert.Equal(symbol, r.GetString(ordinal["symbol"]));
                    for (int k = 0; k < schema.ColumnCount; k++)
                    {
                        var col = schema.Columns[k];
                        if (schema.TextTradeIds && k == TradeColumns.TradeIdLo) continue;
                        string name = col.Kind == ColumnKind.Timestamp ? col.Name + "_ns" : col.Name;
                        int o = ordinal[name];
                        string where = $"{Path.GetFileName(f.File)} row {i} column {name}";
                        switch (col.Kind)
                        {
                            case ColumnKind.Price or ColumnKind.Quantity or ColumnKind.Decimal:
                                decimal d = r.GetDecimal(o);
                                Assert.True(decimal.Round(d, col.Scale) == d, where);
                                Assert.True((long)(d * Pow10(col.Scale)) == seg[k], $"{where}: {d} in Parquet, mantissa {seg[k]} at scale {col.Scale} in the segment");
                                break;
                            case ColumnKind.Enum:
                                Assert.True(r.GetString(o) == EnumText(schema.Kind, seg[k]), where);
                                break;
                            case ColumnKind.Id when schema.TextTradeIds && k == TradeColumns.TradeId:
                                Assert.True(r.GetString(o) == TradeIds.ToText(seg[k], seg[TradeColumns.TradeIdLo], seg[TradeColumns.Flags]), where);
                                break;
                            default:
                                Assert.True(Convert.ToInt64(r.GetValue(o)) == seg[k], $"{where}: {r.GetValue(o)} in Parquet, {seg[k]} in the segment");
                                break;
                        }
                    }
                    i++;
                }
                Assert.True(i == f.To, $"{f.File}: rows {f.From.Row} to {i}, the name says to {f.To}");
            }
            Assert.True(next == segRows.Count, $"{path}: {segRows.Count:N0} rows, the sink's files reach row {next:N0}");
            rows += segRows.Count;
        }
        var strays = Directory.Exists(pq) ? Directory.GetFiles(pq, "*", SearchOption.AllDirectories).Where(f => !seen.Contains(f)).ToList() : [];
        Assert.True(strays.Count == 0, "files of no segment, or left half-written: " + string.Join(", ", strays.Take(5)));
        return (segments, rows, files);
    }

    private static decimal Pow10(int n)
    {
        decimal p = 1;
        for (int i = 0; i < n; i++) p *= 10;
        return p;
    }

    [Theory]
    [InlineData("binance", "binance/hftbacktest_spot_btcusdt_20240808.gz")]
    [InlineData("bybit", "bybit/cryptofeed_BYBIT_v5_linear_spot.jsonl.gz")] // text trade ids beside numbers, funding's own scale
    public void ACaptureRecordedWithTheParquetSinkIsMirroredRowForRow(string venue, string capture)
    {
        using var dir = new TempDir();
        string root = dir.File("root"), pq = dir.File("pq");
        var rec = CliRunner.Run("record", "--exchange", venue, "--capture", RepoPaths.Fixture(capture), "--data", root,
            "--schema", "trades,deltas,l2,bars,quotes,funding", "--sink", $"parquet:{pq},rows=20000", "--summary-json", dir.File("summary.json"));
        Assert.True(rec.ExitCode == 0, rec.Error);
        output.WriteLine(rec.Error.Split('\n').FirstOrDefault(l => l.Contains("sinks")) ?? "");
        var (segments, rows, files) = AssertMirrors(root, pq);
        output.WriteLine($"{segments} segments, {rows:N0} rows, {files} Parquet files");
        Assert.True(files >= segments);
        if (venue == "binance") Assert.True(files > segments, "files of at most 20,000 rows: several for the busiest segments");
        var summary = System.Text.Json.Nodes.JsonNode.Parse(File.ReadAllText(dir.File("summary.json")))!;
        var sink = summary["sinks"]![0]!;
        Assert.Equal("parquet:" + Path.GetFullPath(pq), sink["target"]!.GetValue<string>());
        Assert.Equal("done", sink["state"]!.GetValue<string>());
        Assert.Equal(rows, sink["rows_durable"]!.GetValue<long>());
        Assert.Equal(0, sink["lag_rows"]!.GetValue<long>());
    }

    [Fact]
    [Trait("Category", "Loopback")]
    public void AfterSigkillAndARestartTheParquetFilesHoldEveryRowOnce()
    {
        using var dir = new TempDir();
        string root = dir.File("root"), pq = dir.File("pq");
        string sink = $"parquet:{pq},rows=3000,age=1s";
        // Run 1: the simulator recorded with the sink, killed with SIGKILL once files have been written and more are under way.
        using (var first = ChildProcess.Start("record", "--exchange", "sim", "--rate", "4000", "--data", root, "--sink", sink))
        {
            var sw = System.Diagnostics.Stopwatch.StartNew();
            while (sw.Elapsed < TimeSpan.FromSeconds(60) && (!Directory.Exists(pq) || Directory.GetFiles(pq, "*.parquet", SearchOption.AllDirectories).Length < 6))
            {
                Assert.False(first.Exited, first.Error);
                Thread.Sleep(100);
            }
            Thread.Sleep(700); // mid-file
            first.KillHard();
            output.WriteLine($"run 1 killed after {sw.Elapsed.TotalSeconds:F1} s");
        }
        int complete = Directory.GetFiles(pq, "*.parquet", SearchOption.AllDirectories).Length;
        int partial = Directory.GetFiles(pq, "*.writing", SearchOption.AllDirectories).Length;
        output.WriteLine($"after the kill: {complete} complete files, {partial} half-written");
        Assert.True(complete >= 6);

        // Run 2: the same root and sink; it catches up what run 1 committed and its sink had not, then records on.
        var rec = CliRunner.Run("record", "--exchange", "sim", "--rate", "4000", "--duration", "4", "--data", root, "--sink", sink, "--summary-json", dir.File("summary.json"));
        Assert.True(rec.ExitCode == 0, rec.Error);
        var s = System.Text.Json.Nodes.JsonNode.Parse(File.ReadAllText(dir.File("summary.json")))!["sinks"]![0]!;
        output.WriteLine(s.ToJsonString());
        Assert.True(s["rows_caught_up"]!.GetValue<long>() > 0, "run 2 read back rows run 1 had committed and its sink had not");
        var (segments, rows, files) = AssertMirrors(root, pq);
        output.WriteLine($"{segments} segments, {rows:N0} rows, {files} Parquet files: every row once");
        Assert.Equal(0, s["lag_rows"]!.GetValue<long>());
    }
}
