using System.Globalization;
using System.Text.Json;
using DuckDB.NET.Data;
using TickEngine.Tests.Shared;
using Xunit;

namespace TickEngine.Cli.Tests;

/// <summary>
/// The research record (<c>backtest --record DIR</c>) read back by DuckDB, a Parquet reader that is not ours, against
/// the report of the same run: every order event and fill is there once, in hourly files holding only their hour's
/// rows; the snapshots come once per interval with the market as the strategy knew it; recording changes no figure.
/// </summary>
public class ResearchRecordTests
{
    private static object? Scalar(DuckDBConnection db, string sql)
    {
        using var cmd = db.CreateCommand();
        cmd.CommandText = sql;
        return cmd.ExecuteScalar();
    }

    private static long Long(DuckDBConnection db, string sql) => Convert.ToInt64(Scalar(db, sql), CultureInfo.InvariantCulture);
    private static decimal Dec(JsonElement e, string name) => decimal.Parse(e.GetProperty(name).GetString()!, CultureInfo.InvariantCulture);

    [Fact]
    public void TheRecordHoldsEveryOrderEventAndFillInHourlyFilesAndChangesNoFigure()
    {
        using var dir = new TempDir();
        string root = dir.File("root");
        Assert.Equal(0, CliRunner.Run("record", "--exchange", "binance", "--capture", RepoPaths.BinanceSpotCapture, "--data", root, "--quiet").ExitCode);
        string[] args = ["backtest", "--data", root, "--symbol", "BTCUSDT", "--strategy", "research-mm", "--interval", "10s", "--latency-ms", "1", "--json"];
        var plain = CliRunner.Run(args);
        var recorded = CliRunner.Run([.. args, "--record", dir.File("rec"), "--record-every", "1s"]);
        Assert.True(recorded.ExitCode == 0, recorded.Error);
        Assert.Equal(plain.Out, recorded.Out); // the record is a by-product: the report is byte-identical
        var report = JsonDocument.Parse(recorded.Out).RootElement;

        // The capture spans midnight: two hours, two files per table, each named by its hour and holding only it.
        var files = Directory.GetFiles(dir.File("rec"), "*.parquet", SearchOption.AllDirectories).Select(f => Path.GetRelativePath(dir.File("rec"), f)).Order().ToList();
        Assert.Equal(["orders/2024-08-08T23.parquet", "orders/2024-08-09T00.parquet", "snapshots/2024-08-08T23.parquet", "snapshots/2024-08-09T00.parquet"], files.Select(f => f.Replace('\\', '/')));
        Assert.Empty(Directory.GetFiles(dir.File("rec"), "*.writing", SearchOption.AllDirectories));

        using var db = new DuckDBConnection("DataSource=:memory:");
        db.Open();
        string orders = $"read_parquet('{dir.File("rec/orders/*.parquet")}', filename = true)", snaps = $"read_parquet('{dir.File("rec/snapshots/*.parquet")}', filename = true)";
        foreach (var table in new[] { orders, snaps })
            Assert.Equal(0, Long(db, $"SELECT count(*) FROM {table} WHERE strftime(make_timestamp(exchange_time_ns // 1000), '%Y-%m-%dT%H') <> regexp_extract(filename, '([0-9T-]+)\\.parquet$', 1)"));

        Assert.Equal(report.GetProperty("orders_sent").GetInt64() - report.GetProperty("orders_rejected").GetInt64(),
            Long(db, $"SELECT count(*) FROM {orders} WHERE event IN ('create', 'replace')"));
        Assert.Equal(report.GetProperty("fills").GetInt64(), Long(db, $"SELECT count(*) FROM {orders} WHERE event = 'fill'"));
        Assert.Equal(report.GetProperty("maker_fills").GetInt64(), Long(db, $"SELECT count(*) FROM {orders} WHERE event = 'fill' AND maker = 1"));
        decimal quantity = Dec(report, "maker_quantity") + Dec(report, "taker_quantity");
        Assert.Equal(quantity, Convert.ToDecimal(Scalar(db, $"SELECT sum(fill_quantity) FROM {orders} WHERE event = 'fill'"), CultureInfo.InvariantCulture));
        // Fees summed exactly from their text equal the report's.
        decimal fees = 0;
        using (var cmd = db.CreateCommand())
        {
            cmd.CommandText = $"SELECT fee FROM {orders} WHERE event = 'fill'";
            using var r = cmd.ExecuteReader();
            while (r.Read()) fees += decimal.Parse(r.GetString(0), CultureInfo.InvariantCulture);
        }
        Assert.Equal(Dec(report, "fees"), fees);
        // Each order's events in order: one create (or replace) first, at most one cancel, fills only for orders created.
        Assert.Equal(0, Long(db, $"SELECT count(*) FROM (SELECT order_id FROM {orders} WHERE event IN ('create', 'replace') GROUP BY order_id HAVING count(*) > 1)"));
        Assert.Equal(0, Long(db, $"SELECT count(*) FROM {orders} f WHERE event = 'fill' AND NOT EXISTS (SELECT 1 FROM {orders} c WHERE c.order_id = f.order_id AND c.event IN ('create', 'replace'))"));
        Assert.Equal(0, Long(db, $"SELECT count(*) FROM {orders} o WHERE o.event = 'replace' AND NOT EXISTS (SELECT 1 FROM {orders} c WHERE c.order_id = o.replaces_order_id AND c.event = 'cancel')"));

        Assert.True(Long(db, $"SELECT count(*) FROM {orders} WHERE event = 'replace'") > 0, "the market maker replaces quotes: the check above says something");

        // Snapshots: one per second of the strategy's clock, the mid between bid and ask, never a crossed book.
        long snapshots = Long(db, $"SELECT count(*) FROM {snaps}");
        Assert.InRange(snapshots, 330, 347); // 346 s of data
        Assert.Equal(snapshots, Long(db, $"SELECT count(DISTINCT receive_time_ns // 1000000000) FROM {snaps}"));
        Assert.Equal(0, Long(db, $"SELECT count(*) FROM {snaps} WHERE NOT (bid < ask AND mid = (bid + ask) / 2 AND spread = ask - bid AND imbalance BETWEEN 0 AND 1)"));
        Assert.True(Long(db, $"SELECT count(*) FROM {snaps} WHERE our_bid IS NOT NULL AND our_bid < bid + 0.000001") > 0, "our quotes are recorded beside the market");
    }
}
