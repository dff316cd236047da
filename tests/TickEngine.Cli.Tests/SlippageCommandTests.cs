using System.Text.Json;
using TickEngine.Engine.Research;
using TickEngine.Storage.Format;
using TickEngine.Storage.Reading;
using TickEngine.Tests.Shared;
using Xunit;

namespace TickEngine.Cli.Tests;

/// <summary>
/// <c>slippage</c> on the real Binance spot capture: a market order at one instant costs exactly what walking the book
/// the recorder printed at that instant (its 20-level L2 sample) gives; the reports are byte-identical run to run;
/// bad options say what is wrong.
/// </summary>
public class SlippageCommandTests
{
    private static string Record(TempDir dir)
    {
        string root = dir.File("root");
        var r = CliRunner.Run("record", "--exchange", "binance", "--capture", RepoPaths.BinanceSpotCapture, "--data", root, "--depth", "20", "--quiet");
        Assert.True(r.ExitCode == 0, r.Error);
        return root;
    }

    [Fact]
    public void AMarketOrderAtOneInstantCostsWhatTheBookPrintedThenGives()
    {
        using var dir = new TempDir();
        string root = Record(dir);
        // The L2 sample the recorder wrote at a whole second: the book as it stood then, 20 levels a side.
        long[] row;
        int ps, qs;
        using (var c = new SegmentCursor(SegmentReader.Open(Directory.GetFiles(Path.Combine(root, "binance", "BTCUSDT", "l2")).Order().First())))
        {
            ps = c.Reader.Schema.PriceScale;
            qs = c.Reader.Schema.QuantityScale;
            for (int i = 0; i < 100; i++) Assert.True(c.MoveNext()); // one well inside the capture
            row = Enumerable.Range(0, c.Reader.Schema.ColumnCount).Select(k => c[k]).ToArray();
        }
        long at = row[L2Columns.ExchangeTime];
        const int depth = 20;
        // A buy of 1.5 BTC walks the asks as printed, level by level (by hand: the sum of price x quantity taken).
        long size = 150_000_000, left = size;
        Int128 notional = 0;
        int levels = 0;
        for (int i = 0; i < depth && left > 0; i++)
        {
            long px = row[L2Columns.AskPrice(depth, i)], q = Math.Min(left, row[L2Columns.AskPrice(depth, i) + 1]);
            notional += (Int128)px * q * 1_000_000;
            left -= q;
            levels++;
        }
        Assert.Equal(0, left); // the 20 printed levels hold it
        var money = new MoneyScale(ps, qs);
        Int128 expectedCost = notional - money.MidNotional(row[L2Columns.BidPrice(0)], row[L2Columns.AskPrice(depth, 0)], size);

        string startMs = (at / 1_000_000).ToString(), endMs = (at / 1_000_000 + 1000).ToString();
        var s = CliRunner.Run("slippage", "--data", root, "--symbol", "BTCUSDT", "--sizes", "1.5", "--side", "buy", "--every", "1s", "--start", startMs, "--end", endMs, "--json");
        Assert.True(s.ExitCode == 0, s.Error);
        var doc = JsonDocument.Parse(s.Out).RootElement;
        var only = doc.GetProperty("sizes").EnumerateArray().Single();
        Assert.Equal(1, only.GetProperty("orders").GetInt32());
        Assert.Equal(money.ToText(expectedCost), only.GetProperty("cost_quote_total").GetString());
        Assert.Equal((double)levels, only.GetProperty("mean_levels").GetDouble());
        Assert.True(expectedCost > 0); // a buy above the mid costs
    }

    [Fact]
    public void TheSameDataGivesByteIdenticalReportsAndBadOptionsAreNamed()
    {
        using var dir = new TempDir();
        string root = Record(dir);
        string[] args = ["slippage", "--data", root, "--symbol", "BTCUSDT", "--sizes", "0.01,0.1,1,10", "--every", "10s"];
        Assert.Equal(0, CliRunner.Run([.. args, "--out", dir.File("a")]).ExitCode);
        Assert.Equal(0, CliRunner.Run([.. args, "--out", dir.File("b")]).ExitCode);
        Assert.Equal(File.ReadAllBytes(dir.File("a/slippage.json")), File.ReadAllBytes(dir.File("b/slippage.json")));
        Assert.Equal(File.ReadAllBytes(dir.File("a/slippage.html")), File.ReadAllBytes(dir.File("b/slippage.html")));
        var html = File.ReadAllText(dir.File("a/slippage.html"));
        Assert.Contains("class=\"te-chart\"", html);   // charts as specs, drawn in the page by the inlined uPlot
        Assert.DoesNotContain("<script src", html);          // nothing fetched: the page opens offline

        var tooFine = CliRunner.Run("slippage", "--data", root, "--symbol", "BTCUSDT", "--sizes", "0.000000001");
        Assert.Equal(2, tooFine.ExitCode);
        Assert.Contains("--sizes", tooFine.Error);
        var noDeltas = CliRunner.Run("slippage", "--data", root, "--symbol", "ETHUSDT", "--sizes", "1");
        Assert.Equal(1, noDeltas.ExitCode);
        Assert.Contains("no deltas or L2 samples of ETHUSDT", noDeltas.Error);

        // Without deltas the book comes from the L2 samples (top N), and the report says so.
        string l2Only = dir.File("l2only");
        Assert.Equal(0, CliRunner.Run("record", "--exchange", "binance", "--capture", RepoPaths.BinanceSpotCapture, "--data", l2Only, "--schema", "l2", "--depth", "5", "--quiet").ExitCode);
        var fromSamples = CliRunner.Run("slippage", "--data", l2Only, "--symbol", "BTCUSDT", "--sizes", "0.01,100", "--side", "buy", "--every", "10s", "--json");
        Assert.True(fromSamples.ExitCode == 0, fromSamples.Error);
        var doc = System.Text.Json.JsonDocument.Parse(fromSamples.Out).RootElement;
        Assert.StartsWith("top 5 levels from L2 samples", doc.GetProperty("book").GetString());
        var big = doc.GetProperty("sizes").EnumerateArray().Single(r => r.GetProperty("size").GetString() == "100");
        Assert.Equal(big.GetProperty("orders").GetInt32(), big.GetProperty("partial").GetInt32()); // 5 levels never hold 100 BTC
    }
}
