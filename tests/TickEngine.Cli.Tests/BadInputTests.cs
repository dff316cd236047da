using TickEngine.Tests.Shared;
using Xunit;

namespace TickEngine.Cli.Tests;

public class BadInputTests
{
    private static CliRunner.Result ImportText(TempDir dir, string csv, string schema = "trades")
    {
        File.WriteAllText(dir.File("in.csv"), csv);
        return CliRunner.Run("import", "csv", dir.File("in.csv"), "--schema", schema, "--exchange", "binance", "--symbol", "BTCUSDT", "--out", dir.File("root"), "--quiet");
    }

    [Theory]
    [InlineData("timestamp,symbol,quantity,side\n1,BTCUSDT,1,buy\n", "line 1", "no 'price' column")]
    [InlineData("timestamp,symbol,price,quantity,side\n1723161255342,BTCUSDT,abc,1,buy\n", "line 2", "'abc' is not a decimal number")]
    [InlineData("timestamp,symbol,price,quantity,side\n1723161255342,BTCUSDT,1.1234567890123456789,1,buy\n", "line 2", "cannot be held exactly in 64 bits at any scale")]
    [InlineData("timestamp,symbol,price,quantity,side\n1723161255342,BTCUSDT,1,1\n", "line 2", "4 fields where the header has 5")]
    [InlineData("timestamp,symbol,price,quantity,side\n1723161255342,BTCUSDT,1,1,sideways\n", "line 2", "'sideways' is not buy, sell or unknown")]
    [InlineData("", "line 1", "the file is empty")]
    [InlineData("timestamp,symbol,price,quantity,side\n1723161255342,BTCUSDT,\"1,1,buy\n", "line 2", "quoted field is not closed")]
    public void BadCsvNamesFileLineAndProblem(string csv, string where, string problem)
    {
        using var dir = new TempDir();
        var r = ImportText(dir, csv);
        Assert.Equal(1, r.ExitCode);
        Assert.Contains(dir.File("in.csv"), r.Error);
        Assert.Contains(where, r.Error);
        Assert.Contains(problem, r.Error);
        Assert.DoesNotContain("   at ", r.Error);
    }

    [Fact]
    public void RowsBeforeABadLineAreKept()
    {
        using var dir = new TempDir();
        var r = ImportText(dir, "timestamp,symbol,price,quantity,side\n1723161255342,BTCUSDT,1,1,buy\n1723161255343,BTCUSDT,2,1,buy\n1723161255344,BTCUSDT,x,1,buy\n");
        Assert.Equal(1, r.ExitCode);
        Assert.Contains("2 rows before it were imported and kept", r.Error);
        var exp = CliRunner.Run("export", "csv", dir.File("root"), "--schema", "trades");
        Assert.Equal(3, exp.Text().Split('\n', StringSplitOptions.RemoveEmptyEntries).Length);
    }

    [Theory]
    [InlineData(new[] { "export", "csv", "/nonexistent/root", "--schema", "trades" }, "no such file or directory")]
    [InlineData(new[] { "export", "csv", ".", "--bogus" }, "Unrecognized command or argument '--bogus'")]
    [InlineData(new[] { "export", "xml", "." }, "Argument 'xml' not recognized. Must be one of")]
    [InlineData(new[] { "export", "csv", ".", "--schema", "trades", "--start", "yesterday-ish" }, "neither epoch milliseconds nor an ISO-8601 time")]
    [InlineData(new[] { "export", "csv", ".", "--schema", "candles" }, "--schema must be trades, l2, bars, deltas, status, quotes or funding")]
    [InlineData(new[] { "import", "csv", "missing.csv", "--schema", "trades", "--out", "x" }, "missing.csv: no such file")]
    [InlineData(new[] { "frobnicate" }, "unknown verb 'frobnicate'")]
    [InlineData(new[] { "inspect" }, "--data is required")]
    [InlineData(new[] { "export", "csv", ".", "--schema" }, "Required argument missing for option: '--schema'")]
    [InlineData(new[] { "bench", "speed" }, "Unrecognized command or argument 'speed'")]
    [InlineData(new[] { "bench", "latency", "--rate", "0" }, "--rate must be a whole number from 1 to 5000000, got '0'")]
    [InlineData(new[] { "bench", "latency", "--start", "1000" }, "Unrecognized command or argument '--start'")]
    [InlineData(new[] { "bench", "latency", "--out", "/etc/passwd" }, "--out /etc/passwd: is a file, not a folder")]
    [InlineData(new[] { "record", "--exchange", "binance", "--symbols", "BTCUSDT", "--out", "x", "--api-key-file", "/nonexistent/key" }, "--api-key-file /nonexistent/key: no such file")]
    [InlineData(new[] { "backtest", "--synthetic", "--strategy", "mm", "--duration", "0s" }, "--duration must be a positive duration")]
    [InlineData(new[] { "backtest", "--synthetic", "--strategy", "mm", "--rate", "0" }, "--rate must be a whole number from 1")]
    [InlineData(new[] { "backtest", "--synthetic", "--strategy", "mm", "--duration", "300d", "--rate", "1000000" }, "at most 2,000,000,000")]
    [InlineData(new[] { "backtest", "--synthetic", "--strategy", "mm", "--feed-delay", "soon" }, "--feed-delay soon: give estimate, none")]
    [InlineData(new[] { "backtest", "--synthetic", "--strategy", "mm", "--tick", "-1" }, "--tick -1")]
    [InlineData(new[] { "backtest", "--synthetic", "--strategy", "mm", "--lot", "0" }, "--lot 0: must be above 0")]
    [InlineData(new[] { "backtest", "--synthetic", "--strategy", "mm", "--off-grid", "round" }, "--off-grid must be snap or refuse")]
    [InlineData(new[] { "backtest", "--synthetic", "--strategy", "mm", "--queue-model", "hbt-power" }, "hbt-power:N")]
    [InlineData(new[] { "backtest", "--strategy", "mm", "--symbol", "BTCUSDT", "--duration", "1h" }, "give --synthetic")]
    [InlineData(new[] { "tune", "--synthetic", "--strategy", "research-mm", "--random", "2", "--objective", "sortino" }, "Argument 'sortino' not recognized")]
    public void BadCommandLinesExitWithTwoAndAClearMessage(string[] args, string message)
    {
        var r = CliRunner.Run(args);
        Assert.Equal(2, r.ExitCode);
        Assert.Contains(message, r.Error);
        Assert.DoesNotContain("   at ", r.Error);
    }

    [Fact]
    public void OutputPathThatIsADirectoryOrFileIsRefused()
    {
        using var dir = new TempDir();
        File.WriteAllText(dir.File("in.csv"), "timestamp,symbol,price,quantity,side\n1,BTCUSDT,1,1,buy\n");
        File.WriteAllText(dir.File("afile"), "x");
        var r = CliRunner.Run("import", "csv", dir.File("in.csv"), "--schema", "trades", "--exchange", "binance", "--out", dir.File("afile"));
        Assert.Equal(2, r.ExitCode);
        Assert.Contains("is a file", r.Error);
    }

    [Fact]
    public void DamagedSegmentIsReportedByInspectAndExportStopsCleanlyAfterTheGoodRows()
    {
        using var dir = new TempDir();
        var trades = FixtureCsv.BinanceSpotTrades().Where(t => t.TimeMs < 1723161600000).ToList();
        File.WriteAllText(dir.File("in.csv"), FixtureCsv.TradesCsv(trades));
        Assert.Equal(0, CliRunner.Run("import", "csv", dir.File("in.csv"), "--schema", "trades", "--exchange", "binance", "--out", dir.File("root"), "--quiet").ExitCode);
        string seg = Storage.Layout.DataRoot.FindSegments(dir.File("root")).Single();
        var bytes = File.ReadAllBytes(seg);
        using (var r = Storage.Reading.SegmentReader.Open(seg))
        {
            Assert.True(r.Blocks.Count >= 2);
            long at = r.Blocks[1].Offset + 400; // inside block 1's payload
            bytes[at] ^= 0x5A;
        }
        File.WriteAllBytes(seg, bytes);
        var inspect = CliRunner.Run("inspect", seg, "--json");
        Assert.Equal(1, inspect.ExitCode);
        Assert.Contains("\"checksums\": \"damaged\"", inspect.Out);
        Assert.Contains("block 1: checksum mismatch", inspect.Out);
        var exp = CliRunner.Run("export", "csv", seg);
        Assert.Equal(1, exp.ExitCode);
        Assert.Contains("block 1: checksum mismatch", exp.Error);
        Assert.Contains(seg, exp.Error);
        int exported = exp.Text().Split('\n', StringSplitOptions.RemoveEmptyEntries).Length - 1;
        Assert.Equal(4096, exported); // block 0, every row of it, and nothing of the damaged block
    }

    [Fact]
    public void InspectReportsSizesAndVerifiedChecksums()
    {
        using var dir = new TempDir();
        File.WriteAllText(dir.File("in.csv"), FixtureCsv.TradesCsv(FixtureCsv.BinanceSpotTrades().Take(1000)));
        Assert.Equal(0, CliRunner.Run("import", "csv", dir.File("in.csv"), "--schema", "trades", "--exchange", "binance", "--out", dir.File("root"), "--quiet").ExitCode);
        var r = CliRunner.Run("inspect", dir.File("root"));
        Assert.Equal(0, r.ExitCode);
        Assert.Contains("rows             1,000", r.Out);
        Assert.Contains("checksums        ok (1 blocks verified)", r.Out);
    }
}
