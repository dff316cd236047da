using System.Text.Json;
using TickEngine.Engine.Research;
using TickEngine.Tests.Shared;
using Xunit;

namespace TickEngine.Cli.Tests;

/// <summary><c>tune</c>: a grid holds every combination; the same seed gives the same table; walk-forward reports the best on the unseen span.</summary>
public class TuneCommandTests
{
    [Fact]
    public void GridAndRandomSearchesWalkForwardAndRepeatExactly()
    {
        using var dir = new TempDir();
        string root = dir.File("root");
        Assert.Equal(0, CliRunner.Run("record", "--exchange", "binance", "--capture", RepoPaths.BinanceSpotCapture, "--data", root, "--quiet").ExitCode);

        var grid = CliRunner.Run("tune", "--data", root, "--symbol", "BTCUSDT", "--strategy", "mm", "--grid", "3", "--param", "spread_bps=1..8",
            "--param", "skew_bps=0..2", "--param", "size=0.02", "--objective", "pnl", "--top", "2", "--interval", "10s", "--json");
        Assert.True(grid.ExitCode == 0, grid.Error);
        var candidates = JsonDocument.Parse(grid.Out).RootElement.GetProperty("candidates").EnumerateArray().ToList();
        Assert.Equal(9, candidates.Count);
        Assert.Equal(["1", "4.5", "8"], candidates.Select(c => c.GetProperty("parameters").GetProperty("spread_bps").GetString()!).Distinct().Order().ToArray());
        Assert.All(candidates, c => Assert.Equal("0.02", c.GetProperty("parameters").GetProperty("size").GetString()));
        Assert.Equal(2, candidates.Count(c => c.TryGetProperty("test", out _)));   // the two best, tested on the second half
        var pnls = candidates.Select(c => decimal.Parse(c.GetProperty("fit").GetProperty("pnl").GetString()!, System.Globalization.CultureInfo.InvariantCulture)).ToList();
        Assert.Equal(pnls.OrderByDescending(p => p).ToList(), pnls);              // ranked by the objective

        string[] random = ["tune", "--data", root, "--symbol", "BTCUSDT", "--strategy", "imbalance", "--random", "4", "--param", "buy_above=1.5..5", "--seed", "7", "--interval", "10s", "--json"];
        var a = CliRunner.Run(random);
        var b = CliRunner.Run(random);
        Assert.True(a.ExitCode == 0, a.Error);
        Assert.Equal(a.Out, b.Out);
        var other = CliRunner.Run([.. random[..^3], "8", "--interval", "10s", "--json"]);
        Assert.NotEqual(a.Out, other.Out); // another seed, other draws
    }

    [Fact]
    public void CandidatesAreDrawnWithinTheirRangesAndFixedValuesStay()
    {
        var ps = new[] { TuneParameter.Parse("a=1..2"), TuneParameter.Parse("b=0.5"), TuneParameter.Parse("c=10..20") };
        var drawn = Tuner.Candidates(ps, null, 200, 3);
        Assert.Equal(200, drawn.Count);
        Assert.All(drawn, c =>
        {
            Assert.InRange(decimal.Parse(c["a"], System.Globalization.CultureInfo.InvariantCulture), 1m, 2m);
            Assert.InRange(decimal.Parse(c["c"], System.Globalization.CultureInfo.InvariantCulture), 10m, 20m);
            Assert.Equal("0.5", c["b"]);
        });
        Assert.Equal(25, Tuner.Candidates(ps, 5, null, 0).Count);
        Assert.Throws<ArgumentException>(() => TuneParameter.Parse("a=3..1"));
    }
}
