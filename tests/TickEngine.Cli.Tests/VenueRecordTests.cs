using System.Text.Json;
using TickEngine.Tests.Shared;
using Xunit;

namespace TickEngine.Cli.Tests;

/// <summary><c>record --capture</c> with a venue from the registry, and the messages for venues a run cannot take.</summary>
public class VenueRecordTests
{
    private static readonly string Coinbase = RepoPaths.Fixture("coinbase/cryptofeed_COINBASE_advanced_trade.jsonl.gz");

    [Fact]
    public void ACoinbaseCaptureRecordsItsTradesBooksAndBarsAndExportsThem()
    {
        using var dir = new TempDir();
        var r = CliRunner.Run("record", "--exchange", "coinbase", "--capture", Coinbase, "--data", dir.File("root"), "--summary-json", dir.File("s.json"), "--quiet");
        Assert.True(r.ExitCode == 0, r.Error);
        var s = JsonDocument.Parse(File.ReadAllText(dir.File("s.json"))).RootElement;
        Assert.Equal("coinbase", s.GetProperty("exchange").GetString());
        Assert.Equal(279, s.GetProperty("rows_trades").GetInt64());
        Assert.Equal(0, s.GetProperty("gaps").GetInt64());
        Assert.Equal(0, s.GetProperty("malformed").GetInt64());
        Assert.Equal(0, s.GetProperty("trade_side_against_book").GetInt64());
        Assert.True(s.GetProperty("rows_l2").GetInt64() > 0);
        var csv = CliRunner.Run("export", "csv", "--data", dir.File("root"), "--schema", "trades", "--exchange", "coinbase", "--symbol", "BTC-USD", "--full");
        Assert.True(csv.ExitCode == 0, csv.Error);
        Assert.Contains(",1068572090,", System.Text.Encoding.UTF8.GetString(csv.StdoutBytes)); // the trade ids as Coinbase sent them
        var v = CliRunner.Run("validate", "--data", dir.File("root"));
        Assert.True(v.ExitCode == 0, v.Out + v.Error); // no problem: per-book deltas skip the connection's other numbers by design
    }

    [Fact]
    public void ABybitCaptureStoresEachMarketUnderItsIdAndItsUuidTradeIdsComeBackThroughExportAndImport()
    {
        using var dir = new TempDir();
        var r = CliRunner.Run("record", "--exchange", "bybit", "--capture", RepoPaths.Fixture("bybit/cryptofeed_BYBIT_v5_linear_spot.jsonl.gz"), "--data", dir.File("root"),
            "--summary-json", dir.File("s.json"), "--quiet");
        Assert.True(r.ExitCode == 0, r.Error);
        var s = JsonDocument.Parse(File.ReadAllText(dir.File("s.json"))).RootElement;
        Assert.Equal(347, s.GetProperty("rows_trades").GetInt64());
        Assert.Equal(0, s.GetProperty("gaps").GetInt64());
        Assert.Equal(0, s.GetProperty("book_ticker_mismatched").GetInt64());
        Assert.True(Directory.Exists(dir.File("root/bybit-spot/BTCUSDT")) && Directory.Exists(dir.File("root/bybit/BTCUSDT")));
        var v = CliRunner.Run("validate", "--data", dir.File("root"));
        Assert.True(v.ExitCode == 0, v.Out + v.Error);

        var csv = CliRunner.Run("export", "csv", "--data", dir.File("root"), "--schema", "trades", "--full");
        Assert.True(csv.ExitCode == 0, csv.Error);
        string text = System.Text.Encoding.UTF8.GetString(csv.StdoutBytes);
        Assert.Contains(",bybit,1786310819680000000,1786310819965676000,a9188a0a-82bc-50de-be60-03eedbe3cdd7,", text); // linear: Bybit's UUID
        Assert.Contains(",bybit-spot,1786310822605000000,1786310822714884000,2290000001189048101,", text);           // spot: its digits
        var replay = CliRunner.Run("replay", "--data", dir.File("root"), "--schema", "trades", "--exchange", "bybit", "--symbol", "BTCUSDT");
        Assert.Contains("Trade: 65114.2 x 0.004, Sell, id a9188a0a-82bc-50de-be60-03eedbe3cdd7", System.Text.Encoding.UTF8.GetString(replay.StdoutBytes));
        var api = Engine.Replay.Recording.Open(dir.File("root")).Trades("BTCUSDT", exchange: "bybit").First();
        Assert.Equal("a9188a0a-82bc-50de-be60-03eedbe3cdd7", api.IdText);
        // export --full, imported, exports the same text: every id, price and time exactly.
        File.WriteAllBytes(dir.File("trades.csv"), csv.StdoutBytes);
        var import = CliRunner.Run("import", "csv", dir.File("trades.csv"), "--schema", "trades", "--out", dir.File("again"), "--quiet");
        Assert.True(import.ExitCode == 0, import.Error);
        var again = CliRunner.Run("export", "csv", "--data", dir.File("again"), "--schema", "trades", "--full");
        Assert.Equal(text, System.Text.Encoding.UTF8.GetString(again.StdoutBytes));
    }

    [Fact]
    public void AnOkxCaptureRecordsUnderItsTardisNameTooAndValidates()
    {
        using var dir = new TempDir();
        var r = CliRunner.Run("record", "--exchange", "okex", "--capture", RepoPaths.Fixture("okx/cryptofeed_OKX_v5.jsonl.gz"), "--data", dir.File("root"), "--summary-json", dir.File("s.json"), "--quiet");
        Assert.True(r.ExitCode == 0, r.Error);
        var s = JsonDocument.Parse(File.ReadAllText(dir.File("s.json"))).RootElement;
        Assert.Equal("okx", s.GetProperty("exchange").GetString());
        Assert.Equal(290, s.GetProperty("checksum_matched").GetInt64());
        Assert.Equal(74, s.GetProperty("rows_trades").GetInt64());
        var v = CliRunner.Run("validate", "--data", dir.File("root"));
        Assert.True(v.ExitCode == 0, v.Out + v.Error);
    }

    [Fact]
    public void SeveralVenuesRecordInOneRunEachFileThroughTheVenueItsHeaderNames()
    {
        using var dir = new TempDir();
        string okx = RepoPaths.Fixture("okx/cryptofeed_OKX_v5.jsonl.gz");
        var r = CliRunner.Run("record", "--exchange", "okx,coinbase", "--capture", okx, Coinbase, "--data", dir.File("root"), "--summary-json", dir.File("s.json"), "--quiet");
        Assert.True(r.ExitCode == 0, r.Error);
        var s = JsonDocument.Parse(File.ReadAllText(dir.File("s.json"))).RootElement;
        Assert.Equal("okx,coinbase", s.GetProperty("exchange").GetString());
        Assert.Equal(74 + 279, s.GetProperty("rows_trades").GetInt64()); // each venue's trades, as in a run of its own
        Assert.Equal(290, s.GetProperty("checksum_matched").GetInt64());
        Assert.Equal(0, s.GetProperty("gaps").GetInt64());
        // A file without a header cannot be placed when several venues are recorded.
        var headerless = CliRunner.Run("record", "--exchange", "okx,coinbase", "--capture", RepoPaths.BinanceSpotCapture, "--data", dir.File("r2"), "--quiet");
        Assert.Equal(1, headerless.ExitCode);
        Assert.Contains("has no header naming its exchange", headerless.Error);
    }

    [Fact]
    public async Task RecordBybitLiveFromItsSimulatorDialect()
    {
        using var dir = new TempDir();
        await using var dialect = await TickEngine.Simulator.SimulatorVenues.Find("bybit")!.StartAsync(RepoPaths.Fixture("bybit/cryptofeed_BYBIT_v5_linear_spot.jsonl.gz"), speed: 20);
        // The dialect plays the capture's own (past) exchange times: no clock-skew bound for this run.
        var r = CliRunner.Run("record", "--exchange", "bybit", "--symbol", "BTCUSDT,ETHUSDT", "--ws-url", dialect.WebSocketBase.ToString(), "--max-clock-skew", "off",
            "--duration", "4", "--data", dir.File("root"), "--summary-json", dir.File("s.json"), "--quiet");
        Assert.True(r.ExitCode == 0, r.Error);
        var s = JsonDocument.Parse(File.ReadAllText(dir.File("s.json"))).RootElement;
        Assert.True(s.GetProperty("rows_trades").GetInt64() > 10, s.ToString());
        Assert.Equal(0, s.GetProperty("gaps").GetInt64());
        Assert.Equal(0, s.GetProperty("malformed").GetInt64());
        Assert.True(Directory.Exists(dir.File("root/bybit/BTCUSDT/deltas")));
        Assert.Contains("/v5/public/linear", string.Join(" ", s.GetProperty("connections").EnumerateArray().Select(c => c.GetString())));
    }

    [Fact]
    public async Task SimPlaysASyntheticMarketInOkxsWordsAndRecordRecordsItLive()
    {
        using var dir = new TempDir();
        var free = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        free.Start();
        int port = ((System.Net.IPEndPoint)free.LocalEndpoint).Port;
        free.Stop();
        var sim = Task.Run(() => CliRunner.Run("sim", "--venue", "okx", "--symbol", "BTC-USDT,ETH-USDT", "--rate", "1000", "--port", port.ToString(), "--duration", "8"));
        for (int i = 0; i < 100 && !sim.IsCompleted; i++)
        {
            try { using var probe = new System.Net.Sockets.TcpClient(); await probe.ConnectAsync(System.Net.IPAddress.Loopback, port); break; }
            catch (System.Net.Sockets.SocketException) { await Task.Delay(50); }
        }
        var r = CliRunner.Run("record", "--exchange", "okx", "--symbol", "BTC-USDT,ETH-USDT", "--ws-url", $"ws://127.0.0.1:{port}",
            "--duration", "3", "--data", dir.File("root"), "--summary-json", dir.File("s.json"), "--quiet");
        Assert.True(r.ExitCode == 0, r.Error);
        var s = JsonDocument.Parse(File.ReadAllText(dir.File("s.json"))).RootElement;
        Assert.True(s.GetProperty("rows_trades").GetInt64() > 100, s.ToString());
        Assert.True(s.GetProperty("rows_deltas").GetInt64() > 100, s.ToString());
        Assert.Equal(0, s.GetProperty("gaps").GetInt64());
        Assert.Equal(0, s.GetProperty("malformed").GetInt64());
        Assert.True(s.GetProperty("checksum_matched").GetInt64() > 100, s.ToString());
        Assert.Equal(0, s.GetProperty("checksum_mismatched").GetInt64());
        var done = await sim;
        Assert.True(done.ExitCode == 0, done.Error);
        Assert.Contains("a synthetic market of BTC-USDT,ETH-USDT", done.Error);
    }

    [Fact]
    public void AVenueCaptureUnderAnotherNameOrLiveIsRefusedWithTheReason()
    {
        using var dir = new TempDir();
        var wrong = CliRunner.Run("record", "--exchange", "binance", "--capture", Coinbase, "--data", dir.File("root"), "--quiet");
        Assert.Equal(1, wrong.ExitCode);
        Assert.Contains("names the exchange COINBASE", wrong.Error);
        var live = CliRunner.Run("record", "--exchange", "coinbase", "--data", dir.File("root"), "--duration", "1"); // live needs its products
        Assert.Equal(2, live.ExitCode);
        Assert.Contains("--symbol is required", live.Error);
        var unknown = CliRunner.Run("record", "--exchange", "kraken", "--capture", Coinbase, "--data", dir.File("root"));
        Assert.Equal(2, unknown.ExitCode);
        Assert.Contains("coinbase", unknown.Error);
    }
}
