using System.Globalization;
using DuckDB.NET.Data;
using TickEngine.Storage.Format;
using TickEngine.Storage.Layout;
using TickEngine.Storage.Reading;
using TickEngine.Tests.Shared;
using Xunit;
using Xunit.Abstractions;

namespace TickEngine.Cli.Tests;

/// <summary>
/// <c>export parquet</c> of every schema, read back by a reader that is not ours (DuckDB): the same rows, the same
/// exact sums of every price, quantity and decimal column (DECIMAL of the column's scale), the same sums of every
/// integer column, nanosecond times exact, text trade ids as sent, and nothing visible under the name before the file
/// is complete.
/// </summary>
public class ParquetExportTests(ITestOutputHelper output)
{
    /// <summary>Per column of a schema's segments under a root: the row count and each column's exact sum.</summary>
    private static (long Rows, Dictionary<string, decimal> Sums) FromSegments(string root, SchemaKind kind)
    {
        long rows = 0;
        var sums = new Dictionary<string, decimal>();
        foreach (var path in DataRoot.FindSegments(root, kind))
        {
            using var r = SegmentReader.Open(path);
            using var c = new SegmentCursor(r, ownsReader: false);
            var schema = r.Schema;
            while (c.MoveNext())
            {
                rows++;
                for (int k = 0; k < schema.ColumnCount; k++)
                {
                    var col = schema.Columns[k];
                    // Enums are names in Parquet, and trade ids strings wherever a venue's ids are text (checked apart).
                    if (col.Kind == ColumnKind.Enum || (kind == SchemaKind.Trades && k is TradeColumns.TradeId or TradeColumns.TradeIdLo)) continue;
                    string name = col.Kind == ColumnKind.Timestamp ? col.Name + "_ns" : col.Name;
                    decimal v = col.Kind is ColumnKind.Price or ColumnKind.Quantity or ColumnKind.Decimal ? c[k] / (decimal)Math.Pow(10, col.Scale) : c[k];
                    sums[name] = sums.GetValueOrDefault(name) + v;
                }
            }
        }
        return (rows, sums);
    }

    private static List<object?[]> Query(string sql)
    {
        using var db = new DuckDBConnection("DataSource=:memory:");
        db.Open();
        using var cmd = db.CreateCommand();
        cmd.CommandText = sql;
        using var r = cmd.ExecuteReader();
        var rows = new List<object?[]>();
        while (r.Read())
        {
            var row = new object?[r.FieldCount];
            for (int i = 0; i < row.Length; i++) row[i] = r.IsDBNull(i) ? null : r.GetValue(i);
            rows.Add(row);
        }
        return rows;
    }

    [Theory]
    [InlineData("binance", "trades")]
    [InlineData("binance", "deltas")]
    [InlineData("binance", "l2")]
    [InlineData("binance", "bars")]
    [InlineData("binance", "status")]
    [InlineData("binance", "quotes")]
    [InlineData("bybit", "trades")] // UUID ids beside digits (spot)
    [InlineData("bybit", "funding")] // a decimal column of its own scale
    public void EverySchemaReadsBackInDuckDbWithExactCountsAndSums(string venue, string schema)
    {
        using var dir = new TempDir();
        string capture = venue == "binance" ? RepoPaths.BinanceSpotCapture : RepoPaths.Fixture("bybit/cryptofeed_BYBIT_v5_linear_spot.jsonl.gz");
        var rec = CliRunner.Run("record", "--exchange", venue, "--capture", capture, "--data", dir.File("root"), "--schema", "trades,deltas,l2,bars,quotes,funding", "--quiet");
        Assert.True(rec.ExitCode == 0, rec.Error);
        Assert.True(SegmentSchema.TryParseName(schema, out var kind));
        string file = dir.File($"{schema}.parquet");
        var ex = CliRunner.Run("export", "parquet", "--data", dir.File("root"), "--schema", schema, "--out", file);
        Assert.True(ex.ExitCode == 0, ex.Error);
        Assert.False(File.Exists(file + ".writing"));
        var (rows, sums) = FromSegments(dir.File("root"), kind);
        Assert.True(rows > 0);
        var names = sums.Keys.ToList();
        string sql = $"select count(*){string.Concat(names.Select(n => $", sum(\"{n}\")::varchar"))} from read_parquet('{file}')";
        var got = Query(sql).Single();
        Assert.Equal(rows, Convert.ToInt64(got[0], CultureInfo.InvariantCulture));
        for (int i = 0; i < names.Count; i++)
            Assert.True(decimal.Parse((string)got[i + 1]!, CultureInfo.InvariantCulture) == sums[names[i]], $"{schema}.{names[i]}: DuckDB sums {got[i + 1]}, the segments {sums[names[i]]}");
        output.WriteLine($"{venue} {schema}: {rows:N0} rows, {names.Count} columns summed exactly; {new FileInfo(file).Length / (double)rows:F1} bytes/row in Parquet");
    }

    [Fact]
    public void TypesAreDecimalsNanosecondsAndTextIdsAsSent()
    {
        using var dir = new TempDir();
        Assert.Equal(0, CliRunner.Run("record", "--exchange", "bybit", "--capture", RepoPaths.Fixture("bybit/cryptofeed_BYBIT_v5_linear_spot.jsonl.gz"), "--data", dir.File("root"),
            "--schema", "trades,funding", "--quiet").ExitCode);
        Assert.Equal(0, CliRunner.Run("export", "parquet", "--data", dir.File("root"), "--schema", "trades", "--out", dir.File("t.parquet"), "--quiet").ExitCode);
        Assert.Equal(0, CliRunner.Run("export", "parquet", "--data", dir.File("root"), "--schema", "funding", "--out", dir.File("f.parquet"), "--quiet").ExitCode);
        var t = Query($"select typeof(price), typeof(quantity), typeof(exchange_time_ns), trade_id, side, exchange_time_ns, price::varchar from read_parquet('{dir.File("t.parquet")}') where trade_id = 'a9188a0a-82bc-50de-be60-03eedbe3cdd7'").Single();
        Assert.Equal(["DECIMAL(18,8)", "DECIMAL(18,8)", "BIGINT", "a9188a0a-82bc-50de-be60-03eedbe3cdd7", "sell", 1786310819680000000L, "65114.20000000"], t);
        var f = Query($"select typeof(funding_rate), funding_rate::varchar from read_parquet('{dir.File("f.parquet")}') limit 1").Single();
        Assert.Equal(["DECIMAL(18,10)", "0.0001000000"], f);
        // The CSV export of the same rows agrees with what DuckDB reads from the Parquet file, row for row.
        var csv = CliRunner.Run("export", "csv", "--data", dir.File("root"), "--schema", "trades", "--full").Text().Split('\n', StringSplitOptions.RemoveEmptyEntries).Skip(1)
            .Select(l => l.Split(',')).Select(c => $"{c[8]}|{c[2]}|{c[3]}|{c[6]}").ToList();
        var pq = Query($"select trade_id, rtrim(rtrim(price::varchar, '0'), '.'), rtrim(rtrim(quantity::varchar, '0'), '.'), exchange_time_ns from read_parquet('{dir.File("t.parquet")}')")
            .Select(r => $"{r[0]}|{r[1]}|{r[2]}|{r[3]}").ToList();
        Assert.Equal(csv, pq);
    }

    [Fact]
    public void AStoppedOrFailedExportLeavesNoFileUnderItsName()
    {
        using var dir = new TempDir();
        Assert.Equal(0, CliRunner.Run("record", "--exchange", "binance", "--capture", RepoPaths.BinanceSpotCapture, "--data", dir.File("root"), "--schema", "trades", "--quiet").ExitCode);
        // A damaged segment mid-export: an error, and no Parquet file (neither its name nor its temporary one).
        string seg = DataRoot.FindSegments(dir.File("root"), SchemaKind.Trades).First();
        var bytes = File.ReadAllBytes(seg);
        bytes[bytes.Length / 2] ^= 0xFF;
        File.WriteAllBytes(seg, bytes);
        var r = CliRunner.Run("export", "parquet", "--data", dir.File("root"), "--schema", "trades", "--out", dir.File("t.parquet"));
        Assert.Equal(1, r.ExitCode);
        Assert.False(File.Exists(dir.File("t.parquet")));
        Assert.False(File.Exists(dir.File("t.parquet.writing")));
    }
}
