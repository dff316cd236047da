using System.Text.Json;
using TickEngine.Engine.Research;
using TickEngine.Tests.Shared;
using Xunit;

namespace TickEngine.Cli.Tests;

/// <summary>
/// <c>backtest</c> on the real Binance spot capture: both strategies run and report; the figures keep their
/// identities (PnL = realized + unrealized - fees, exactly); the same data gives byte-identical reports; bad
/// strategies and parameters are refused by name.
/// </summary>
public class BacktestCommandTests
{
    private static string Record(TempDir dir)
    {
        string root = dir.File("root");
        var r = CliRunner.Run("record", "--exchange", "binance", "--capture", RepoPaths.BinanceSpotCapture, "--data", root, "--quiet");
        Assert.True(r.ExitCode == 0, r.Error);
        return root;
    }

    private static decimal Dec(JsonElement e, string name) => decimal.Parse(e.GetProperty(name).GetString()!, System.Globalization.CultureInfo.InvariantCulture);

    [Theory]
    [InlineData("imbalance")]
    [InlineData("mm")]
    public void BothStrategiesRunOnTheRealCaptureWithExactIdentitiesAndIdenticalReportsTwice(string strategy)
    {
        using var dir = new TempDir();
        string root = Record(dir);
        string[] args = ["backtest", "--data", root, "--symbol", "BTCUSDT", "--strategy", strategy, "--interval", "10s", "--latency-ms", "1"];
        var a = CliRunner.Run([.. args, "--out", dir.File("a")]);
        Assert.True(a.ExitCode == 0, a.Error);
        Assert.Equal(0, CliRunner.Run([.. args, "--out", dir.File("b")]).ExitCode);
        Assert.Equal(File.ReadAllBytes(dir.File("a/report.json")), File.ReadAllBytes(dir.File("b/report.json")));
        Assert.Equal(File.ReadAllBytes(dir.File("a/report.html")), File.ReadAllBytes(dir.File("b/report.html")));

        var r = JsonDocument.Parse(File.ReadAllText(dir.File("a/report.json"))).RootElement;
        Assert.True(r.GetProperty("fills").GetInt64() > 0, "the strategy traded");
        Assert.Equal(Dec(r, "total_pnl"), Dec(r, "realized_pnl") + Dec(r, "unrealized_pnl") - Dec(r, "fees"));
        Assert.Equal(Dec(r, "fees"), Dec(r, "maker_fees") + Dec(r, "taker_fees"));
        Assert.Equal(Dec(r, "total_pnl"), r.GetProperty("daily_pnl").EnumerateArray().Sum(d => Dec(d, "pnl")));
        Assert.True(Dec(r, "max_drawdown") >= 0);
        // Binance spot's base tier: 10 bp either side, so every fee is 10 bp of its notional.
        Assert.Equal(Dec(r, "turnover") * 0.001m, Dec(r, "fees"));
        // The per-fill ledger: one row per fill, and at every row equity = realized + unrealized - fees, exactly.
        var ledger = File.ReadAllLines(dir.File("a/fills.csv"));
        Assert.Equal(r.GetProperty("fills").GetInt64(), ledger.Length - 1);
        foreach (var line in ledger.Skip(1))
        {
            var f = line.Split(',');
            decimal D(int i) => decimal.Parse(f[i], System.Globalization.CultureInfo.InvariantCulture);
            Assert.Equal(D(13), D(10) + D(11) - D(12));
        }
        Assert.Equal(File.ReadAllBytes(dir.File("a/fills.csv")), File.ReadAllBytes(dir.File("b/fills.csv")));
        if (strategy == "mm") Assert.Equal(r.GetProperty("fills").GetInt64(), r.GetProperty("maker_fills").GetInt64()); // quotes never cross
        else Assert.Equal(0, r.GetProperty("maker_fills").GetInt64());                                                  // market orders only
    }

    [Fact]
    public void WithoutDeltasTheBookComesFromL2SamplesAndTheReportSaysSo()
    {
        using var dir = new TempDir();
        string root = dir.File("root");
        Assert.Equal(0, CliRunner.Run("record", "--exchange", "binance", "--capture", RepoPaths.BinanceSpotCapture, "--data", root, "--schema", "l2,trades", "--depth", "10", "--quiet").ExitCode);
        var full = CliRunner.Run("backtest", "--data", root, "--symbol", "BTCUSDT", "--strategy", "imbalance", "--json");
        Assert.True(full.ExitCode == 0, full.Error);
        var r = JsonDocument.Parse(full.Out).RootElement;
        Assert.StartsWith("top 10 levels from L2 samples", r.GetProperty("book").GetString());
        Assert.True(r.GetProperty("fills").GetInt64() > 0);
        Assert.Equal(Dec(r, "total_pnl"), Dec(r, "realized_pnl") + Dec(r, "unrealized_pnl") - Dec(r, "fees"));
    }

    [Fact]
    public void UnknownStrategiesParametersAndModelsAreRefusedByName()
    {
        using var dir = new TempDir();
        string root = Record(dir);
        var typo = CliRunner.Run("backtest", "--data", root, "--symbol", "BTCUSDT", "--strategy", "mm", "--param", "sprd_bps=3");
        Assert.Equal(2, typo.ExitCode);
        Assert.Contains("no parameter sprd_bps", typo.Error);
        var inexact = CliRunner.Run("backtest", "--data", root, "--symbol", "BTCUSDT", "--strategy", "imbalance", "--param", "size=0.000000001");
        Assert.Equal(2, inexact.ExitCode);
        Assert.Contains("size", inexact.Error);
        var model = CliRunner.Run("backtest", "--data", root, "--symbol", "BTCUSDT", "--strategy", "mm", "--queue-model", "optimistic");
        Assert.Equal(2, model.ExitCode);
        Assert.Contains("queue model 'optimistic'", model.Error);
        var strategy = CliRunner.Run("backtest", "--data", root, "--symbol", "BTCUSDT", "--strategy", "momentum");
        Assert.Equal(2, strategy.ExitCode);
        Assert.Contains("imbalance or mm", strategy.Error);
    }

    [Theory]
    [InlineData("backtest")]
    [InlineData("tune")]
    [InlineData("slippage")]
    public void NoBookOfTheInstrumentIsBadDataForEveryVerbThatNeedsOne(string verb)
    {
        using var dir = new TempDir();
        string root = Record(dir);
        string[] args = verb switch
        {
            "slippage" => ["slippage", "--data", root, "--symbol", "ETHUSDT", "--sizes", "1"],
            "tune" => ["tune", "--data", root, "--symbol", "ETHUSDT", "--strategy", "mm", "--grid", "2", "--param", "spread_bps=1..4"],
            _ => ["backtest", "--data", root, "--symbol", "ETHUSDT", "--strategy", "mm"],
        };
        var r = CliRunner.Run(args);
        Assert.True(r.ExitCode == 1, $"exit {r.ExitCode}: {r.Error}"); // the data has no book of it: bad data, not a bad command line
        Assert.Contains("no deltas or L2 samples of ETHUSDT", r.Error);
    }
}
