using System.Globalization;
using System.Text.Json.Nodes;
using TickEngine.Tests.Shared;
using Xunit;

namespace TickEngine.Cli.Tests;

/// <summary>
/// <c>analyze</c>'s figures checked by hand on a small market written out line by line (every metric's value worked
/// out below), on the real spot capture against an independent reading of its exported trades, and sessions:
/// every record run is one, listed and shown, and export/analyze take its range.
/// </summary>
public class AnalyzeTests
{
    private const string C = "CON.F.US.MNQ.Z26";
    private const long T0 = 1_765_180_000_000_000_000; // 2025-12-08T07:46:40Z, a whole second

    private static string Line(long atMs, string target, string data) =>
        $$"""{{T0 + atMs * 1_000_000}} {"type":1,"target":"{{target}}","arguments":["{{C}}",{{data}}]}""";

    private static string At(long ms) => Simulator.Dialects.ProjectX.ProjectXSimulator.Iso(T0 + ms * 1_000_000);
    private static string Depth(long ms, params (int Type, string Price, int Volume)[] e) =>
        Line(ms, "GatewayDepth", "[" + string.Join(",", e.Select(x => $$"""{"timestamp":"{{At(ms)}}","type":{{x.Type}},"price":{{x.Price}},"volume":{{x.Volume}}}""")) + "]");
    private static string Trade(long ms, int side, string price, int volume) =>
        Line(ms, "GatewayTrade", $$"""[{"price":{{price}},"timestamp":"{{At(ms)}}","type":{{side}},"volume":{{volume}}}]""");

    private static JsonObject Analyze(params string[] args)
    {
        var r = CliRunner.Run(["analyze", .. args, "--json"]);
        Assert.True(r.ExitCode == 0, r.Error);
        return JsonNode.Parse(r.Out)!["period"]!.AsObject();
    }

    [Fact]
    public void EveryMetricEqualsItsHandWorkedValue()
    {
        using var dir = new TempDir();
        // Book 100.00x5 / 99.75x7 | 100.50x3 / 100.75x9; a buy 2 @100.50 (0.5 s), a sell 1 @100.00 (1.5 s); the best
        // ask leaves at 2.2 s (best ask 100.75x9); a buy 1 @100.75 (4.5 s); a bid change away from the touch at 7 s.
        File.WriteAllLines(dir.File("c.txt"),
        [
            Depth(0, (6, "0", 0), (2, "100.00", 5), (2, "99.75", 7), (1, "100.50", 3), (1, "100.75", 9)),
            Trade(500, 0, "100.50", 2),
            Trade(1_500, 1, "100.00", 1),
            Depth(2_200, (1, "100.50", 0)),
            Trade(4_500, 0, "100.75", 1),
            Depth(7_000, (2, "99.75", 4)),
        ]);
        var rec = CliRunner.Run("record", "--exchange", "projectx", "--capture", dir.File("c.txt"), "--data", dir.File("root"), "--quiet", "--max-clock-skew", "off");
        Assert.True(rec.ExitCode == 0, rec.Error);
        var a = Analyze("--data", dir.File("root"), "--symbol", C, "--sample", "1s", "--horizon", "2s", "--depth-ticks", "1");
        var t = a["totals"]!.AsObject();
        double D(string k) => (double)t[k]!;
        Assert.Equal("0.25", (string)a["tick"]!); // inferred from the prices
        // Samples at 1..7 s, each the book before the first event at or after it: 2 with spread 0.50 (mid 100.25), 5 with 0.75 (mid 100.375).
        Assert.Equal(7, (long)t["samples"]!);
        Assert.Equal(4.75 / 7, D("quoted_spread"), 9);
        double s1 = 0.50 / 100.25 * 1e4, s2 = 0.75 / 100.375 * 1e4;
        Assert.Equal((2 * s1 + 5 * s2) / 7, D("quoted_spread_bps"), 6);
        // Effective: 2*side*(price-mid)/mid: the buy and the sell at mid 100.25 (0.25 away), the last buy at mid 100.375 (0.375 away).
        double e1 = 2 * 0.25 / 100.25 * 1e4, e3 = 2 * 0.375 / 100.375 * 1e4;
        Assert.Equal((2 * e1 + e3) / 3, D("effective_spread_bps"), 6);
        Assert.Equal((e1 * 2 + e1 * 1 + e3 * 1) / 4, D("effective_spread_bps_size_weighted"), 6);
        // Realized, 2 s later (the book at 2.5, 3.5 and 6.5 s: mid 100.375 each time), over the trade's mid.
        double r1 = 2 * (100.50 - 100.375) / 100.25 * 1e4, r2 = -2 * (100.00 - 100.375) / 100.25 * 1e4, r3 = 2 * (100.75 - 100.375) / 100.375 * 1e4;
        Assert.Equal((r1 + r2 + r3) / 3, D("realized_spread_bps"), 6);
        Assert.Equal((2 * e1 + e3) / 3 - (r1 + r2 + r3) / 3, D("price_impact_bps"), 6);
        // One return among the samples (2 s -> 3 s): |ln(100.375/100.25)| in bp.
        Assert.Equal(Math.Abs(Math.Log(100.375 / 100.25)) * 1e4, D("volatility_bps_whole"), 6);
        // Order-flow imbalance (Cont, Kukanov, Stoikov): the best ask left (3 at 100.50): +3; nothing else moved the touch.
        Assert.Equal(3, D("ofi"), 9);
        Assert.Equal(0.5, D("trade_imbalance"), 9); // (3 bought - 1 sold) / 4
        Assert.Equal(3, (long)t["trades"]!);
        Assert.Equal("4", (string)t["volume"]!);
        Assert.Equal("3", (string)t["buy_volume"]!);
        Assert.Equal("1", (string)t["sell_volume"]!);
        Assert.Equal("100.4375", (string)t["vwap"]!); // (201 + 100 + 100.75) / 4, exactly
        Assert.Equal("1", (string)t["size_p50"]!);
        Assert.Equal("2", (string)t["size_max"]!);
        Assert.Equal(3.0 / 7.0, D("trades_per_s"), 9); // 3 trades over the 7 s from the first event to the last
        // Depth at the touch: 5+3 twice, 5+9 five times; within one tick: 12+12 twice, 12+9 five times.
        Assert.Equal(86.0 / 7, D("depth_touch"), 9);
        Assert.Equal(153.0 / 7, D("depth_within"), 9);
        // The touch changed with the book (0 s) and at 2.2 s, not at 7 s: 2 changes and 3 book messages, per 3 trades.
        Assert.Equal(2.0 / 3, D("quote_to_trade"), 9);
        Assert.Equal(1.0, D("book_messages_per_trade"), 9);
        // Kyle: signed volume per step (-1 with no move, +1 with no move; the move came with none): slope 0.
        Assert.Equal(0, D("kyle_lambda"), 9);
        Assert.Equal(6, (long)t["kyle_points"]!);
    }

    [Fact]
    public void AStretchWithNoDataMakesNoRows()
    {
        using var dir = new TempDir();
        const long TwoHours = 7_200_000;
        // A book and a trade, then nothing for two hours (a closed market), then a change and a trade.
        File.WriteAllLines(dir.File("c.txt"),
        [
            Depth(0, (6, "0", 0), (2, "100.00", 5), (1, "100.50", 3)),
            Trade(500, 0, "100.50", 2),
            Depth(TwoHours, (2, "100.25", 4)),
            Trade(TwoHours + 500, 1, "100.25", 1),
        ]);
        var rec = CliRunner.Run("record", "--exchange", "projectx", "--capture", dir.File("c.txt"), "--data", dir.File("root"), "--quiet", "--max-clock-skew", "off");
        Assert.True(rec.ExitCode == 0, rec.Error);
        var a = Analyze("--data", dir.File("root"), "--symbol", C, "--interval", "1m", "--sample", "1s");
        var starts = a["intervals"]!.AsArray().Select(i => (long)i!["start_ns"]!).ToList();
        long minute = 60_000_000_000;
        // Only the minutes the data is in (the first one also takes the samples of the 60 s the book stood quiet).
        Assert.All(starts, s => Assert.True(s < T0 + 2 * minute || s >= T0 + TwoHours * 1_000_000 - minute, $"an interval at {s} inside the quiet stretch"));
        var t = a["totals"]!.AsObject();
        Assert.Equal(60, (long)t["samples"]!); // 1..60 s after the last event, none after
        Assert.True((long)t["samples_quiet"]! >= 7_200 - 61, $"{t["samples_quiet"]} quiet instants counted");
        Assert.Equal(7_140, (long)t["samples_quiet"]!); // 61 s .. 7,200 s
        // The first trade's horizon (5.5 s) came 5 s after the last event, well within the limit: the book then stood.
        Assert.Equal(0, (long)t["realized_unresolved"]!);
    }

    [Fact]
    public void OnTheSpotCaptureTheTradeFiguresEqualAnIndependentReadingOfTheExportedTrades()
    {
        using var dir = new TempDir();
        string root = dir.File("root");
        var rec = CliRunner.Run("record", "--exchange", "binance", "--capture", RepoPaths.BinanceSpotCapture, "--data", root, "--quiet");
        Assert.True(rec.ExitCode == 0, rec.Error);
        const string from = "2024-08-08T23:56:00Z", to = "2024-08-08T23:56:30Z";
        var a = Analyze("--data", root, "--symbol", "BTCUSDT", "--start", from, "--end", to, "--interval", "10s");
        var t = a["totals"]!.AsObject();
        var csv = CliRunner.Run("export", "csv", "--data", root, "--schema", "trades", "--symbol", "BTCUSDT", "--start", from, "--end", to);
        Assert.True(csv.ExitCode == 0, csv.Error);
        string text = csv.Out.Length > 0 ? csv.Out : System.Text.Encoding.UTF8.GetString(csv.StdoutBytes);
        var rows = text.Split('\n', StringSplitOptions.RemoveEmptyEntries).Skip(1).Select(l => l.Split(',')).ToList();
        Assert.True(rows.Count > 100);
        decimal P(string[] r) => decimal.Parse(r[2], CultureInfo.InvariantCulture);
        decimal Q(string[] r) => decimal.Parse(r[3], CultureInfo.InvariantCulture);
        decimal volume = rows.Sum(Q), notional = rows.Sum(r => P(r) * Q(r));
        Assert.Equal(rows.Count, (long)t["trades"]!);
        Assert.Equal(volume, decimal.Parse((string)t["volume"]!, CultureInfo.InvariantCulture));
        Assert.Equal(rows.Where(r => r[4] == "buy").Sum(Q), decimal.Parse((string)t["buy_volume"]!, CultureInfo.InvariantCulture));
        Assert.Equal(rows.Where(r => r[4] == "sell").Sum(Q), decimal.Parse((string)t["sell_volume"]!, CultureInfo.InvariantCulture));
        Assert.Equal(decimal.Round(notional / volume, 2 + 4), decimal.Round(decimal.Parse((string)t["vwap"]!, CultureInfo.InvariantCulture), 6));
        var sizes = rows.Select(Q).Order().ToList();
        Assert.Equal(sizes[^1], decimal.Parse((string)t["size_max"]!, CultureInfo.InvariantCulture));
        Assert.Equal(sizes[(int)Math.Ceiling(0.5 * sizes.Count) - 1], decimal.Parse((string)t["size_p50"]!, CultureInfo.InvariantCulture));
        // Per interval: 3 intervals of 10 s, their trades summing to the whole.
        var intervals = a["intervals"]!.AsArray();
        Assert.Equal(3, intervals.Count);
        Assert.Equal(rows.Count, intervals.Sum(i => (long)i!["trades"]!));
        Assert.Equal(0, (long)t["samples_out_of_sync"]!);
    }

    [Fact]
    public void EveryRecordRunIsASessionListedShownAndUsableByExportAndAnalyze()
    {
        using var dir = new TempDir();
        string root = dir.File("root");
        var rec = CliRunner.Run("record", "--exchange", "binance", "--capture", RepoPaths.BinanceSpotCapture, "--data", root, "--quiet", "--sink", $"sqlite:{dir.File("t.db")}");
        Assert.True(rec.ExitCode == 0, rec.Error);
        var list = CliRunner.Run("sessions", "list", "--data", root, "--json");
        Assert.True(list.ExitCode == 0, list.Error);
        var sessions = JsonNode.Parse(list.Out)!.AsArray();
        var s = Assert.Single(sessions)!.AsObject();
        string id = (string)s["id"]!;
        Assert.Matches("^session_[0-9]{8}_[0-9]{6}$", id);
        Assert.Equal("capture read to its end", (string)s["exit_reason"]!);
        Assert.NotNull(s["end_ns"]);
        Assert.True((long)s["counters"]!["rows_trades"]! > 0);
        Assert.Equal("BTCUSDT", (string)s["symbols"]![0]!);
        var show = CliRunner.Run("sessions", "show", id, "--data", root);
        Assert.True(show.ExitCode == 0, show.Error);
        Assert.Contains("capture read to its end", show.Out);
        // In the database too.
        using (var db = new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={dir.File("t.db")}"))
        {
            db.Open();
            using var c = db.CreateCommand();
            c.CommandText = "SELECT exit_reason FROM tickengine_sessions WHERE id = $id";
            c.Parameters.AddWithValue("$id", id);
            Assert.Equal("capture read to its end", (string)c.ExecuteScalar()!);
        }
        var bySession = CliRunner.Run("export", "csv", "--data", root, "--schema", "trades", "--session", id);
        var plain = CliRunner.Run("export", "csv", "--data", root, "--schema", "trades", "--symbol", "BTCUSDT");
        Assert.True(bySession.ExitCode == 0, bySession.Error);
        Assert.Equal(plain.StdoutBytes, bySession.StdoutBytes);
        var an = CliRunner.Run("analyze", "--data", root, "--session", id, "--json");
        Assert.True(an.ExitCode == 0, an.Error);
        Assert.Equal(id, (string)JsonNode.Parse(an.Out)!["period"]!["session"]!);
        var missing = CliRunner.Run("sessions", "show", "session_20000101_000000", "--data", root);
        Assert.Equal(1, missing.ExitCode);
        Assert.Contains("no session", missing.Error);
        var bad = CliRunner.Run("sessions", "show", "../etc/passwd", "--data", root);
        Assert.Equal(2, bad.ExitCode);
    }
}
