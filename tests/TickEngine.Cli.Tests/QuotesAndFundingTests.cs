using System.Globalization;
using System.IO.Compression;
using System.Text.Json;
using System.Text.Json.Nodes;
using TickEngine.Storage.Format;
using TickEngine.Tests.Shared;
using Xunit;

namespace TickEngine.Cli.Tests;

/// <summary>
/// The two schemas added from their definitions: quotes (best bid and ask as each venue states them) and funding (a
/// perpetual's rate at its own decimal scale, next funding time, mark and index price). Recorded from every venue's
/// real capture, each row equal to an independent reading of the frames; exported, imported back byte for byte,
/// replayed and validated; and their hostile cases.
/// </summary>
public class QuotesAndFundingTests
{
    private static CliRunner.Result Record(TempDir dir, string venue, string capture, string root = "root") =>
        CliRunner.Run("record", "--exchange", venue, "--capture", capture, "--data", dir.File(root), "--schema", "trades,deltas,quotes,funding",
            "--summary-json", dir.File(root + ".json"), "--quiet");

    private static JsonElement Summary(TempDir dir, string root = "root") => JsonDocument.Parse(File.ReadAllText(dir.File(root + ".json"))).RootElement;

    private static List<string[]> Csv(TempDir dir, string schema, string root = "root", params string[] extra) =>
        CliRunner.Run(["export", "csv", "--data", dir.File(root), "--schema", schema, .. extra]).Text().Split('\n', StringSplitOptions.RemoveEmptyEntries).Skip(1).Select(l => l.Split(',')).ToList();

    [Fact]
    public void BinanceBookTickersAreQuotesEachAsTheFrameStatesIt()
    {
        using var dir = new TempDir();
        Assert.Equal(0, Record(dir, "binance", RepoPaths.BinanceSpotCapture).ExitCode);
        // Independently: every bookTicker of the capture, in order.
        var expected = new List<string[]>();
        using (var gz = new GZipStream(File.OpenRead(RepoPaths.BinanceSpotCapture), CompressionMode.Decompress))
        using (var reader = new StreamReader(gz))
            for (string? l; (l = reader.ReadLine()) is not null;)
            {
                if (!l.Contains("@bookTicker", StringComparison.Ordinal)) continue;
                var d = JsonNode.Parse(l[(l.IndexOf(' ') + 1)..])!["data"]!;
                expected.Add([Trim((string)d["b"]!), Trim((string)d["B"]!), Trim((string)d["a"]!), Trim((string)d["A"]!), ((long)d["u"]!).ToString(CultureInfo.InvariantCulture)]);
            }
        var got = Csv(dir, "quotes", "root", "--full");
        Assert.Equal(28_040, expected.Count);
        Assert.Equal(expected.Count, got.Count);
        for (int i = 0; i < got.Count; i++)
        {
            Assert.Equal(expected[i], new[] { got[i][2], got[i][3], got[i][4], got[i][5], got[i][9] });
            Assert.Equal(((long)RowFlags.ExchangeTimeUnknown).ToString(CultureInfo.InvariantCulture), got[i][10]); // spot bookTicker has no time
        }
    }

    private static string Trim(string d) => d.Contains('.') ? d.TrimEnd('0').TrimEnd('.') : d;

    [Fact]
    public void BybitTickersAreQuotesAndFundingMergedFromSnapshotAndDeltas()
    {
        using var dir = new TempDir();
        Assert.Equal(0, Record(dir, "bybit", RepoPaths.Fixture("bybit/cryptofeed_BYBIT_v5_linear_spot.jsonl.gz")).ExitCode);
        // Independently: the linear BTCUSDT ticker state, merged message by message; a funding row where a message moved
        // the funding, mark or index; a quote where it moved the top of the book.
        var state = new Dictionary<string, string>();
        var funding = new List<string[]>();
        var quotes = new List<string[]>();
        foreach (var (_, f) in CaptureEdit.Bybit().Frames(d => d.Contains("\"topic\":\"tickers.BTCUSDT\"")))
        {
            if ((string?)f["type"] == "snapshot") state.Clear();
            var data = f["data"]!.AsObject();
            foreach (var (k, v) in data) if (v is JsonValue jv && jv.TryGetValue(out string? text)) state[k] = text;
            bool movesFunding = data.ContainsKey("fundingRate") || data.ContainsKey("nextFundingTime") || data.ContainsKey("markPrice") || data.ContainsKey("indexPrice");
            bool movesTop = data.ContainsKey("bid1Price") || data.ContainsKey("ask1Price") || data.ContainsKey("bid1Size") || data.ContainsKey("ask1Size");
            if (movesFunding) funding.Add([state.GetValueOrDefault("fundingRate", "0"), (long.Parse(state.GetValueOrDefault("nextFundingTime", "0"), CultureInfo.InvariantCulture) * 1_000_000).ToString(CultureInfo.InvariantCulture), Trim(state.GetValueOrDefault("markPrice", "0")), Trim(state.GetValueOrDefault("indexPrice", "0"))]);
            if (movesTop && state.ContainsKey("bid1Price")) quotes.Add([Trim(state["bid1Price"]), Trim(state.GetValueOrDefault("bid1Size", "0")), Trim(state["ask1Price"]), Trim(state.GetValueOrDefault("ask1Size", "0"))]);
        }
        var gotFunding = Csv(dir, "funding", "root", "--exchange", "bybit", "--symbol", "BTCUSDT").Select(r => r[2..6]).ToList();
        Assert.True(funding.Count > 20);
        Assert.Equal(funding, gotFunding);
        Assert.Equal(["0.0001", "1786320000000000000", "65117.44", "65137.76"], gotFunding[0]);
        var gotQuotes = Csv(dir, "quotes", "root", "--exchange", "bybit", "--symbol", "BTCUSDT").Select(r => r[2..6]).ToList();
        Assert.Equal(quotes, gotQuotes);
        Assert.Equal(0, CliRunner.Run("validate", "--data", dir.File("root")).ExitCode);
    }

    [Fact]
    public void OkxAndCoinbaseTickersAreQuotes()
    {
        using var dir = new TempDir();
        Assert.Equal(0, Record(dir, "okx", RepoPaths.Fixture("okx/cryptofeed_OKX_v5.jsonl.gz"), "okx").ExitCode);
        Assert.Equal(0, Record(dir, "coinbase", RepoPaths.Fixture("coinbase/cryptofeed_COINBASE_advanced_trade.jsonl.gz"), "coinbase").ExitCode);
        var okx = CaptureEdit.Okx().Frames(d => d.Contains("\"channel\":\"tickers\"") && d.Contains("\"bidPx\"")).Select(x => x.Frame["data"]![0]!)
            .Select(t => new[] { (string)t["instId"]!, Trim((string)t["bidPx"]!), Trim((string)t["bidSz"]!), Trim((string)t["askPx"]!), Trim((string)t["askSz"]!) }).ToList();
        var gotOkx = Csv(dir, "quotes", "okx").Select(r => new[] { r[1], r[2], r[3], r[4], r[5] }).OrderBy(r => r[0], StringComparer.Ordinal).ToList();
        Assert.Equal(28, okx.Count);
        Assert.Equal(okx.OrderBy(r => r[0], StringComparer.Ordinal).ToList(), gotOkx);
        var coinbase = CaptureEdit.Coinbase().Frames(d => d.Contains("\"channel\":\"ticker\"")).SelectMany(x => x.Frame["events"]!.AsArray().SelectMany(e => e!["tickers"]!.AsArray()))
            .Select(t => new[] { (string)t!["product_id"]!, Trim((string)t["best_bid"]!), Trim((string)t["best_bid_quantity"]!), Trim((string)t["best_ask"]!), Trim((string)t["best_ask_quantity"]!) }).ToList();
        var gotCoinbase = Csv(dir, "quotes", "coinbase").Select(r => new[] { r[1], r[2], r[3], r[4], r[5] }).ToList();
        Assert.Equal(coinbase.Count, gotCoinbase.Count);
        Assert.Equal(coinbase.OrderBy(r => string.Join(",", r), StringComparer.Ordinal), gotCoinbase.OrderBy(r => string.Join(",", r), StringComparer.Ordinal));
    }

    [Fact]
    public void OkxFundingRateAndMarkPriceAreFundingRows()
    {
        using var dir = new TempDir();
        var c = CaptureEdit.Okx();
        // OKX's funding-rate and mark-price pushes for UNI-USD-SWAP (as its v5 docs give them), among the capture's frames.
        int at = c.Frames(d => d.Contains("UNI-USD-SWAP") && d.Contains("\"action\":\"update\"")).First().Index;
        var template = c.Records[at].DeepClone().AsObject();
        var funding = template.DeepClone().AsObject();
        funding["data"] = """{"arg":{"channel":"funding-rate","instId":"UNI-USD-SWAP"},"data":[{"fundingRate":"0.0000792386885340","fundingTime":"1652486400000","instId":"UNI-USD-SWAP","instType":"SWAP","nextFundingRate":"0.00010","nextFundingTime":"1652515200000"}]}""";
        var mark = template.DeepClone().AsObject();
        long ts = (long)((decimal)c.Records[at]["ts"]! * 1000);
        mark["data"] = $$"""{"arg":{"channel":"mark-price","instId":"UNI-USD-SWAP"},"data":[{"instId":"UNI-USD-SWAP","instType":"SWAP","markPx":"5.128","ts":"{{ts}}"}]}""";
        c.Records.Insert(at + 1, funding);
        c.Records.Insert(at + 2, mark);
        var r = Record(dir, "okx", c.Save(dir.File("okx.jsonl.gz")));
        Assert.True(r.ExitCode == 0, r.Error);
        var rows = Csv(dir, "funding", "root", "--full");
        Assert.Equal(2, rows.Count);
        // A rate of 15 significant decimals: stored exactly at its own scale (the funding rate column at 15, a rate not a price).
        Assert.Equal(["0.000079238688534", "1652486400000000000", "0", "0"], rows[0][2..6]);
        Assert.Equal(["0.000079238688534", "1652486400000000000", "5.128", "0"], rows[1][2..6]);
        using var reader = Storage.Reading.SegmentReader.Open(Directory.GetFiles(Path.Combine(dir.File("root"), "okx", "UNI-USD-SWAP", "funding"))[0]);
        Assert.Equal(15, reader.Schema.DecimalScale);
        Assert.Equal((ushort)3, reader.Header.Minor);
    }

    [Fact]
    public void BinanceFuturesMarkPriceIsFunding()
    {
        using var dir = new TempDir();
        long t = 1723161255342;
        var frames = new[]
        {
            $"{t * 1_000_000} {{\"stream\":\"btcusdt@markPrice@1s\",\"data\":{{\"e\":\"markPriceUpdate\",\"E\":{t},\"s\":\"BTCUSDT\",\"p\":\"61840.12345678\",\"P\":\"61845.1\",\"i\":\"61838.91000000\",\"r\":\"0.00010000\",\"T\":1723190400000}}}}",
            $"{(t + 1000) * 1_000_000} {{\"stream\":\"btcusdt@markPrice@1s\",\"data\":{{\"e\":\"markPriceUpdate\",\"E\":{t + 1000},\"s\":\"BTCUSDT\",\"p\":\"61841.00000000\",\"P\":\"61845.1\",\"i\":\"61839.00000000\",\"r\":\"-0.00002500\",\"T\":1723190400000}}}}",
        };
        File.WriteAllLines(dir.File("futures.txt"), frames);
        var r = CliRunner.Run("record", "--exchange", "binance-futures", "--capture", dir.File("futures.txt"), "--data", dir.File("root"), "--schema", "funding", "--quiet");
        Assert.True(r.ExitCode == 0, r.Error);
        var rows = Csv(dir, "funding");
        Assert.Equal([["0.0001", "1723190400000000000", "61840.12345678", "61838.91"], ["-0.000025", "1723190400000000000", "61841", "61839"]], rows.Select(x => x[2..6]).ToList());
        // Replayed as events, round trip through CSV byte for byte.
        var replay = CliRunner.Run("replay", "--schema", "funding", "--data", dir.File("root"));
        Assert.Contains("Funding: rate 0.0001, next 2024-08-09 08:00:00, mark 61840.12345678, index 61838.91", replay.Text());
        string csv = CliRunner.Run("export", "csv", "--data", dir.File("root"), "--schema", "funding", "--full").Text();
        File.WriteAllText(dir.File("f.csv"), csv);
        Assert.Equal(0, CliRunner.Run("import", "csv", dir.File("f.csv"), "--schema", "funding", "--data", dir.File("back"), "--quiet").ExitCode);
        Assert.Equal(csv, CliRunner.Run("export", "csv", "--data", dir.File("back"), "--schema", "funding", "--full").Text());
    }

    [Fact]
    public void QuotesRoundTripThroughCsvAndReplay()
    {
        using var dir = new TempDir();
        Assert.Equal(0, Record(dir, "coinbase", RepoPaths.Fixture("coinbase/cryptofeed_COINBASE_advanced_trade.jsonl.gz")).ExitCode);
        string csv = CliRunner.Run("export", "csv", "--data", dir.File("root"), "--schema", "quotes", "--full").Text();
        File.WriteAllText(dir.File("q.csv"), csv);
        Assert.Equal(0, CliRunner.Run("import", "csv", dir.File("q.csv"), "--schema", "quotes", "--data", dir.File("back"), "--quiet").ExitCode);
        Assert.Equal(csv, CliRunner.Run("export", "csv", "--data", dir.File("back"), "--schema", "quotes", "--full").Text());
        var replay = CliRunner.Run("replay", "--schema", "quotes", "--data", dir.File("root"));
        Assert.Equal(csv.Split('\n', StringSplitOptions.RemoveEmptyEntries).Length - 1, replay.Text().Split('\n').Count(l => l.Contains("Quote: bid", StringComparison.Ordinal)));
        Invariants.Check(dir.File("root"));
    }

    // ---- The hostile corpus of the two schemas ----

    [Fact]
    public void ACrossedQuoteIsAProblemForValidate()
    {
        using var dir = new TempDir();
        var c = CaptureEdit.Coinbase();
        var (i, f) = c.First(d => d.Contains("\"channel\":\"ticker\""));
        var t = f["events"]![0]!["tickers"]![0]!;
        t["best_bid"] = "99999999";
        c.Set(i, f);
        Assert.Equal(0, Record(dir, "coinbase", c.Save(dir.File("c.jsonl.gz"))).ExitCode);
        var v = CliRunner.Run("validate", "--data", dir.File("root"));
        Assert.Equal(1, v.ExitCode);
        Assert.Contains("crossed quote", v.Out);
    }

    [Fact]
    public void AQuoteOrFundingValueNoMantissaHoldsIsMalformedAndAnOldOneIsStoredExactly()
    {
        using var dir = new TempDir();
        var c = CaptureEdit.Bybit();
        var frames = c.Frames(d => d.Contains("\"topic\":\"tickers.BTCUSDT\"") && d.Contains("\"type\":\"delta\"") && d.Contains("markPrice")).Take(2).ToList();
        frames[0].Frame["data"]!["markPrice"] = "1234567890.1234567891"; // 20 significant digits: no 64-bit mantissa at any scale
        c.Set(frames[0].Index, frames[0].Frame);
        frames[1].Frame["data"]!["fundingRate"] = "0.000012345678901"; // 15 decimals: the funding rows move to scale 15
        c.Set(frames[1].Index, frames[1].Frame);
        var r = Record(dir, "bybit", c.Save(dir.File("b.jsonl.gz")));
        Assert.True(r.ExitCode == 0, r.Error);
        Assert.Equal(1, Summary(dir).GetProperty("malformed").GetInt64());
        var rates = Csv(dir, "funding", "root", "--exchange", "bybit", "--symbol", "BTCUSDT").Select(x => x[2]).ToList();
        Assert.Contains("0.000012345678901", rates);
        Assert.Contains("0.0001", rates);
        Invariants.Check(dir.File("root"));
    }

    [Fact]
    public void AFundingUpdateDatedADayAheadIsMalformed()
    {
        using var dir = new TempDir();
        long t = 1723161255342;
        File.WriteAllLines(dir.File("futures.txt"),
        [
            $"{t * 1_000_000} {{\"stream\":\"btcusdt@markPrice@1s\",\"data\":{{\"e\":\"markPriceUpdate\",\"E\":{t + 86_400_000},\"s\":\"BTCUSDT\",\"p\":\"61840.1\",\"i\":\"61838.9\",\"r\":\"0.0001\",\"T\":1723190400000}}}}",
            $"{t * 1_000_000} {{\"stream\":\"btcusdt@markPrice@1s\",\"data\":{{\"e\":\"markPriceUpdate\",\"E\":{t},\"s\":\"BTCUSDT\",\"p\":\"61840.1\",\"i\":\"61838.9\",\"r\":\"0.0001\",\"T\":1723190400000}}}}",
        ]);
        var r = CliRunner.Run("record", "--exchange", "binance-futures", "--capture", dir.File("futures.txt"), "--data", dir.File("root"), "--schema", "funding",
            "--summary-json", dir.File("root.json"), "--quiet");
        Assert.True(r.ExitCode == 0, r.Error);
        Assert.Equal(1, Summary(dir).GetProperty("malformed").GetInt64());
        Assert.Equal(1, Summary(dir).GetProperty("rows_funding").GetInt64());
    }
}
