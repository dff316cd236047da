using System.Globalization;
using System.Text.Json;
using TickEngine.Storage.Format;
using TickEngine.Storage.Reading;
using TickEngine.Tests.Shared;
using Xunit;

namespace TickEngine.Cli.Tests;

/// <summary>
/// What a quant checks before trusting a backtest, on the real Binance spot capture: the feed delay estimated and
/// charged (and the estimate equal to an independent scan of the stored rows), the latency actually drawn stated,
/// orders held to the instrument's grid, nonsense parameters refused, and the research design's market maker tuned
/// with its objective, whose figures add up.
/// </summary>
public class ResearchRealismTests
{
    private static string Record(TempDir dir)
    {
        string root = dir.File("root");
        var r = CliRunner.Run("record", "--exchange", "binance", "--capture", RepoPaths.BinanceSpotCapture, "--data", root, "--quiet");
        Assert.True(r.ExitCode == 0, r.Error);
        return root;
    }

    private static decimal Dec(JsonElement e, string name) => decimal.Parse(e.GetProperty(name).GetString()!, CultureInfo.InvariantCulture);

    /// <summary>The least receive − exchange time of the stored rows of one schema, read apart from the engine's estimate.</summary>
    private static long LeastDelay(string root, string schema)
    {
        long least = long.MaxValue;
        foreach (var file in Directory.GetFiles(Path.Combine(root, "binance", "BTCUSDT", schema), "*.tks"))
        {
            using var c = new SegmentCursor(SegmentReader.Open(file));
            int flags = schema == "trades" ? TradeColumns.Flags : DeltaColumns.Flags;
            while (c.MoveNext())
                if ((c[flags] & (long)(RowFlags.ReceiveTimeUnknown | RowFlags.ExchangeTimeUnknown)) == 0) least = Math.Min(least, c[1] - c[0]);
        }
        return least;
    }

    [Fact]
    public void TheFeedDelayIsEstimatedChargedAndStatedAndTheLatencyDrawnIsTheOneReported()
    {
        using var dir = new TempDir();
        string root = Record(dir);
        string[] args = ["backtest", "--data", root, "--symbol", "BTCUSDT", "--strategy", "mm", "--interval", "10s", "--latency-ms", "1", "--json"];
        var est = JsonDocument.Parse(CliRunner.Run(args).Out).RootElement;
        var none = JsonDocument.Parse(CliRunner.Run([.. args, "--feed-delay", "none"]).Out).RootElement;
        var fd = est.GetProperty("feed_delay");
        long offset = Math.Min(LeastDelay(root, "deltas"), LeastDelay(root, "trades"));
        Assert.True(offset < -1_000_000_000, $"the capture's receive clock runs behind the exchange's: {offset}");
        Assert.Equal(Math.Round(offset / 1e6, 6), fd.GetProperty("clock_offset_ms").GetDouble());
        Assert.True(fd.GetProperty("charged_delay").GetProperty("p99_ms").GetDouble() > 50, "the delay above the offset is charged: its tail is tens of ms");
        Assert.Equal(0, fd.GetProperty("events_below_offset").GetInt64());
        Assert.Equal(est.GetProperty("events").GetInt64(), fd.GetProperty("charged_delay").GetProperty("count").GetInt64());
        Assert.False(none.GetProperty("feed_delay").GetProperty("charged").GetBoolean());
        Assert.NotEqual(Dec(est, "total_pnl"), Dec(none, "total_pnl")); // the delay changes what the strategy could do
        // Every order drew one entry latency, and the report gives what was drawn.
        var lat = est.GetProperty("latency");
        Assert.Equal(est.GetProperty("orders_sent").GetInt64() - est.GetProperty("orders_rejected").GetInt64(), lat.GetProperty("entry_drawn").GetProperty("count").GetInt64());
        Assert.Equal(1.0, lat.GetProperty("entry_drawn").GetProperty("p50_ms").GetDouble());

        // --latency-recorded: the delays above the offset, never the negative raw differences clamped to zero.
        var rec = JsonDocument.Parse(CliRunner.Run([.. args[..^3], "--latency-recorded", "--latency-seed", "5", "--json"]).Out).RootElement.GetProperty("latency");
        Assert.Contains("above the", rec.GetProperty("model").GetString());
        Assert.Equal(5, rec.GetProperty("seed").GetInt32());
        Assert.True(rec.GetProperty("entry_drawn").GetProperty("p50_ms").GetDouble() > 0.5, rec.ToString());
        Assert.True(rec.GetProperty("entry_drawn").GetProperty("p99_ms").GetDouble() > 20, rec.ToString());
    }

    [Fact]
    public void OrdersKeepToTheInstrumentsGridAndTheReportSaysWhereItCameFrom()
    {
        using var dir = new TempDir();
        string root = Record(dir);
        var inferred = JsonDocument.Parse(CliRunner.Run("backtest", "--data", root, "--symbol", "BTCUSDT", "--strategy", "mm", "--json").Out).RootElement;
        Assert.StartsWith("tick 0.01, lot 0.000001 (inferred", inferred.GetProperty("instrument_rules").GetString());
        // A coarser tick given: the market maker quotes on it, so every fill is a multiple of 0.10.
        var r = CliRunner.Run("backtest", "--data", root, "--symbol", "BTCUSDT", "--strategy", "mm", "--tick", "0.10", "--out", dir.File("t"));
        Assert.True(r.ExitCode == 0, r.Error);
        var prices = File.ReadAllLines(dir.File("t/fills.csv")).Skip(1).Select(l => decimal.Parse(l.Split(',')[4], CultureInfo.InvariantCulture)).ToList();
        Assert.NotEmpty(prices);
        Assert.All(prices, p => Assert.Equal(0m, p % 0.10m));
        var off = CliRunner.Run("backtest", "--data", root, "--symbol", "BTCUSDT", "--strategy", "mm", "--tick", "0.10", "--param", "tick=0.05");
        Assert.Equal(2, off.ExitCode);
        Assert.Contains("not a multiple of the instrument's tick", off.Error);
    }

    [Theory]
    [InlineData("mm", "max_position=-1", "max_position must be at least 0")]
    [InlineData("mm", "refresh_ms=-5", "refresh_ms=-5: must be from 0")]
    [InlineData("mm", "spread_bps=-2", "spread_bps=-2: must be from 0")]
    [InlineData("imbalance", "cooldown_ms=-1", "cooldown_ms=-1: must be from 0")]
    [InlineData("imbalance", "levels=0", "levels=0: must be from 1")]
    [InlineData("imbalance", "sell_below=4", "sell_below (4) is above buy_above")]
    [InlineData("research-mm", "levels_per_side=2.5", "levels_per_side=2.5: must be a whole number")]
    [InlineData("research-mm", "imbalance_cutoff=0.3", "imbalance_cutoff=0.3: must be from 0.5 to 1")]
    public void NonsenseParametersAreRefusedByNameWithTheirRange(string strategy, string parameter, string message)
    {
        using var dir = new TempDir();
        string root = Record(dir);
        var r = CliRunner.Run("backtest", "--data", root, "--symbol", "BTCUSDT", "--strategy", strategy, "--param", parameter);
        Assert.Equal(2, r.ExitCode);
        Assert.Contains(message, r.Error);
    }

    [Fact]
    public void TheResearchMarketMakerTunesWithNetPnlLessCvarWithinTheDesignsBounds()
    {
        using var dir = new TempDir();
        string root = Record(dir);
        var r = CliRunner.Run("tune", "--data", root, "--symbol", "BTCUSDT", "--strategy", "research-mm", "--random", "6", "--seed", "3",
            "--objective", "netpnl-cvar", "--lambda", "2.5", "--interval", "10s", "--top", "2", "--json");
        Assert.True(r.ExitCode == 0, r.Error);
        var doc = JsonDocument.Parse(r.Out).RootElement;
        Assert.Equal(2.5, doc.GetProperty("lambda").GetDouble());
        var candidates = doc.GetProperty("candidates").EnumerateArray().ToList();
        Assert.Equal(6, candidates.Count);
        var bounds = new Dictionary<string, (decimal, decimal)>
        {
            ["k_vola_spread"] = (0.6m, 1.4m), ["skew_coeff"] = (0.1m, 0.6m), ["levels_per_side"] = (2m, 4m), ["level_spacing_coeff"] = (0.2m, 0.6m),
            ["min_time_in_book_ms"] = (300m, 800m), ["replace_threshold_bps"] = (0m, 6m), ["imbalance_cutoff"] = (0.55m, 0.75m),
        };
        double previous = double.MaxValue;
        foreach (var c in candidates)
        {
            foreach (var (name, (lo, hi)) in bounds)
            {
                decimal v = decimal.Parse(c.GetProperty("parameters").GetProperty(name).GetString()!, CultureInfo.InvariantCulture);
                Assert.InRange(v, lo, hi);
                if (name == "levels_per_side") Assert.Equal(Math.Floor(v), v);
            }
            foreach (var span in new[] { "fit", "test" })
            {
                if (!c.TryGetProperty(span, out var m)) continue;
                double expected = (double)Dec(m, "pnl") - 2.5 * m.GetProperty("cvar95_loss_per_interval").GetDouble();
                Assert.Equal(expected, m.GetProperty("objective").GetDouble(), 5);
            }
            double fit = c.GetProperty("fit").GetProperty("objective").GetDouble();
            Assert.True(fit <= previous + 1e-9, "ranked by the objective");
            previous = fit;
        }
        var lambdaAlone = CliRunner.Run("tune", "--data", root, "--symbol", "BTCUSDT", "--strategy", "research-mm", "--random", "2", "--lambda", "1");
        Assert.Equal(2, lambdaAlone.ExitCode);
        Assert.Contains("--lambda weighs CVaR in --objective netpnl-cvar only", lambdaAlone.Error);
    }

    [Fact]
    public void SlippageGivesPercentilesAgainstTheArrivalPriceAndFlagsWalksPastTheKnownBook()
    {
        using var dir = new TempDir();
        string root = Record(dir);
        var r = CliRunner.Run("slippage", "--data", root, "--symbol", "BTCUSDT", "--sizes", "0.01,300", "--every", "10s", "--latency-ms", "50", "--json");
        Assert.True(r.ExitCode == 0, r.Error);
        var rows = JsonDocument.Parse(r.Out).RootElement.GetProperty("sizes").EnumerateArray().ToList();
        foreach (var row in rows)
        {
            double p50 = row.GetProperty("p50_bps_vs_arrival").GetDouble(), p95 = row.GetProperty("p95_bps_vs_arrival").GetDouble(), p99 = row.GetProperty("p99_bps_vs_arrival").GetDouble();
            Assert.True(p50 <= p95 && p95 <= p99 && p99 <= row.GetProperty("max_bps_vs_arrival").GetDouble(), row.ToString());
            // The snapshot held 1,000 levels a side (about 33 bp): 0.01 BTC never leaves them, 300 BTC always does.
            int orders = row.GetProperty("orders").GetInt32(), beyond = row.GetProperty("beyond_known_depth").GetInt32();
            Assert.Equal(row.GetProperty("size").GetString() == "300" ? orders : 0, beyond);
        }
    }

    [Theory]
    [InlineData("backtest")]
    [InlineData("tune")]
    [InlineData("slippage")]
    public void APeriodTheDataDoesNotCoverIsBadInputNotAnEmptySuccess(string verb)
    {
        using var dir = new TempDir();
        string root = Record(dir);
        string[] period = ["--start", "2025-01-01T00:00:00Z", "--end", "2025-01-02T00:00:00Z"];
        string[] args = verb switch
        {
            "slippage" => ["slippage", "--data", root, "--symbol", "BTCUSDT", "--sizes", "1", .. period],
            "tune" => ["tune", "--data", root, "--symbol", "BTCUSDT", "--strategy", "mm", "--grid", "2", "--param", "spread_bps=1..4", .. period],
            _ => ["backtest", "--data", root, "--symbol", "BTCUSDT", "--strategy", "mm", .. period],
        };
        var r = CliRunner.Run(args);
        Assert.True(r.ExitCode == 1, $"exit {r.ExitCode}: {r.Error}");
        Assert.Contains("no data of BTCUSDT between 2025-01-01", r.Error);
        Assert.Contains("2024-08-08T23:54", r.Error); // what the data does cover
    }

    [Fact]
    public void BacktestsRunOnTheSyntheticMarketRepeatablyForASeed()
    {
        using var dir = new TempDir();
        string[] args = ["backtest", "--synthetic", "--duration", "5m", "--strategy", "research-mm", "--interval", "10s"];
        var a = CliRunner.Run([.. args, "--seed", "7", "--out", dir.File("a")]);
        Assert.True(a.ExitCode == 0, a.Error);
        Assert.Contains("synthetic market: seed 7", a.Error);
        Assert.Equal(0, CliRunner.Run([.. args, "--seed", "7", "--out", dir.File("b")]).ExitCode);
        Assert.Equal(0, CliRunner.Run([.. args, "--seed", "8", "--out", dir.File("c")]).ExitCode);
        Assert.Equal(File.ReadAllBytes(dir.File("a/report.json")), File.ReadAllBytes(dir.File("b/report.json")));
        Assert.NotEqual(File.ReadAllBytes(dir.File("a/report.json")), File.ReadAllBytes(dir.File("c/report.json")));
        var r = JsonDocument.Parse(File.ReadAllText(dir.File("a/report.json"))).RootElement;
        Assert.Equal("synthetic", r.GetProperty("exchange").GetString());
        Assert.Equal(7, r.GetProperty("synthetic_seed").GetInt32());
        Assert.True(r.GetProperty("fills").GetInt64() > 0);
        Assert.Equal(Dec(r, "total_pnl"), Dec(r, "realized_pnl") + Dec(r, "unrealized_pnl") - Dec(r, "fees"));
        // The market's feed delay is estimated and charged like a capture's.
        Assert.True(r.GetProperty("feed_delay").GetProperty("charged_delay").GetProperty("p99_ms").GetDouble() > 1);
        var both = CliRunner.Run("backtest", "--synthetic", "--data", dir.File("a"), "--strategy", "mm");
        Assert.Equal(2, both.ExitCode);
        Assert.Contains("give no --data", both.Error);
        // The temporary market is removed when the run ends (a process of its own: no other test's market shares its id).
        using var child = ChildProcess.Start("backtest", "--synthetic", "--duration", "1m", "--strategy", "mm", "--seed", "2");
        Assert.True(child.WaitForExit(TimeSpan.FromSeconds(120)), "the synthetic backtest did not end");
        Assert.Equal(0, child.ExitCode);
        Assert.Empty(Directory.GetDirectories(Path.GetTempPath(), $"tickengine-synthetic-{child.Pid}-*"));
    }

    [Fact]
    public void ACrossVenueStrategyTradesTwoBooksEachOnItsOwnClockAndTheFiguresAreTheirExactSum()
    {
        using var dir = new TempDir();
        var r = CliRunner.Run("backtest", "--synthetic", "--seed", "3", "--duration", "10m", "--strategy", "basis", "--leg", "synthetic-b:BTCUSDT",
            "--param", "enter_bps=0.0005", "--param", "exit_bps=0", "--taker-bps", "1", "--out", dir.File("b"));
        Assert.True(r.ExitCode == 0, r.Error);
        var doc = JsonDocument.Parse(File.ReadAllText(dir.File("b/report.json"))).RootElement;
        var legs = doc.GetProperty("instruments").EnumerateArray().ToList();
        Assert.Equal(["synthetic/BTCUSDT", "synthetic-b/BTCUSDT"], legs.Select(l => l.GetProperty("market").GetString()));
        // Each venue's clock estimated apart: the second runs 250 ms ahead of the first (and of the recorder's).
        double a = legs[0].GetProperty("clock_offset_ms").GetDouble(), b = legs[1].GetProperty("clock_offset_ms").GetDouble();
        Assert.InRange(a, 0.3, 3.0);
        Assert.InRange(b, -250, -247);
        // The figures are the instruments' exact sum, and the ledger's rows are each instrument's own.
        Assert.Equal(Dec(doc, "total_pnl"), legs.Sum(l => Dec(l, "pnl")));
        Assert.Equal(Dec(doc, "fees"), legs.Sum(l => Dec(l, "fees")));
        Assert.True(legs.All(l => l.GetProperty("fills").GetInt64() > 0), "both venues traded");
        var rows = File.ReadAllLines(dir.File("b/fills.csv")).Skip(1).Select(l => l.Split(',')).ToList();
        Assert.Equal(doc.GetProperty("fills").GetInt64(), rows.Count);
        foreach (var leg in legs)
            Assert.Equal(leg.GetProperty("fills").GetInt64(), rows.Count(x => x[14] == leg.GetProperty("market").GetString()));
        Assert.Equal("0", doc.GetProperty("final_position").GetString()); // hedged: the net position across the two
        var single = CliRunner.Run("backtest", "--synthetic", "--duration", "1m", "--strategy", "basis");
        Assert.Equal(2, single.ExitCode);
        Assert.Contains("strategy basis trades 2 instruments: give 1 --leg", single.Error);
        var extra = CliRunner.Run("backtest", "--synthetic", "--duration", "1m", "--strategy", "mm", "--leg", "synthetic-b:BTCUSDT");
        Assert.Equal(2, extra.ExitCode);
        Assert.Contains("strategy mm trades 1 instrument: give no --leg", extra.Error);
    }

    [Fact]
    public void MaxDrawdownIsExactAndAPnlObjectiveIsPrintedOnce()
    {
        using var dir = new TempDir();
        string root = Record(dir);
        string[] args = ["tune", "--data", root, "--symbol", "BTCUSDT", "--strategy", "mm", "--grid", "2", "--param", "spread_bps=1..4", "--interval", "10s", "--fit-fraction", "1"];
        var free = JsonDocument.Parse(CliRunner.Run([.. args, "--json"]).Out).RootElement.GetProperty("candidates").EnumerateArray().ToList();
        var first = free[0];
        decimal dd = decimal.Parse(first.GetProperty("fit").GetProperty("max_drawdown").GetString()!, CultureInfo.InvariantCulture);
        Assert.True(dd > 1, $"a drawdown with a fraction to lose: {dd}");
        string key = first.GetProperty("parameters").GetProperty("spread_bps").GetString()!;
        bool Within(decimal limit) => JsonDocument.Parse(CliRunner.Run([.. args, "--json", "--max-drawdown", limit.ToString(CultureInfo.InvariantCulture)]).Out).RootElement
            .GetProperty("candidates").EnumerateArray().Single(c => c.GetProperty("parameters").GetProperty("spread_bps").GetString() == key).GetProperty("within_max_drawdown").GetBoolean();
        Assert.True(Within(dd));                 // at the limit: within (truncating the limit to a whole number would refuse it)
        Assert.False(Within(dd - 0.0000001m));   // a hair below: past it
        var text = CliRunner.Run([.. args, "--objective", "pnl"]);
        Assert.Equal(0, text.ExitCode);
        var header = text.Out.Split('\n').First(l => l.StartsWith("rank", StringComparison.Ordinal));
        Assert.Single(System.Text.RegularExpressions.Regex.Matches(header, "fit pnl"));
    }
}
