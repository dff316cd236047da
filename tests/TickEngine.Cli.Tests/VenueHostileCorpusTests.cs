using System.Globalization;
using System.IO.Compression;
using System.Text.Json;
using System.Text.Json.Nodes;
using TickEngine.Storage.Format;
using TickEngine.Storage.Layout;
using TickEngine.Storage.Reading;
using TickEngine.Tests.Shared;
using Xunit;
using Xunit.Abstractions;

namespace TickEngine.Cli.Tests;

/// <summary>
/// The hostile corpus beyond Binance: every venue (Bybit, OKX, Coinbase, Bybit's archives) and every verb, each case
/// an edited copy of a shared real capture (the edit named in the case) or a damaged data root, with what must come
/// of it. Every recording is held to <see cref="Invariants"/> (nothing made up, bounded by the data's receive-time
/// span; the summary equal to the segments; exit 0 only when something usable was written). Each case failed
/// before the change that fixed its cause.
/// </summary>
public class VenueHostileCorpusTests(ITestOutputHelper output)
{
    private static CliRunner.Result Record(TempDir dir, string venue, string capture, string root = "root", params string[] extra) =>
        CliRunner.Run(["record", "--exchange", venue, "--capture", capture, "--data", dir.File(root), "--summary-json", dir.File(root + ".json"), "--quiet", .. extra]);

    private static JsonElement Summary(TempDir dir, string root = "root") => JsonDocument.Parse(File.ReadAllText(dir.File(root + ".json"))).RootElement;

    private static T WithinSeconds<T>(int seconds, Func<T> action)
    {
        var task = Task.Run(action);
        Assert.True(task.Wait(TimeSpan.FromSeconds(seconds)), $"did not finish within {seconds} s");
        return task.Result;
    }

    private static string ShiftIso(string iso, TimeSpan by) =>
        DateTimeOffset.Parse(iso, CultureInfo.InvariantCulture).Add(by).UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ss.ffffffZ", CultureInfo.InvariantCulture);

    private static Invariants.Report Checked(TempDir dir, CliRunner.Result r, string root = "root") =>
        Invariants.Check(dir.File(root), r.ExitCode, File.Exists(dir.File(root + ".json")) ? dir.File(root + ".json") : null);

    private static IEnumerable<string> Days(string root) => Directory.GetFiles(root, "*.tks", SearchOption.AllDirectories).Select(f => Path.GetFileName(f)[..10]).Distinct();

    // ---- 1. Nothing made up at scale ----

    [Theory]
    [InlineData(1)]       // the snapshot's levels last changed a day before it was sent
    [InlineData(-1)]      // ... or at 2000-01-01
    public void CoinbaseSnapshotLevelsFromLongAgoBackFillNoSamples(int daysEarlier)
    {
        using var dir = new TempDir();
        var plain = Record(dir, "coinbase", RepoPaths.Fixture("coinbase/cryptofeed_COINBASE_advanced_trade.jsonl.gz"), "plain");
        Assert.True(plain.ExitCode == 0, plain.Error);
        long plainL2 = Summary(dir, "plain").GetProperty("rows_l2").GetInt64();

        var c = CaptureEdit.Coinbase();
        var (i, frame) = c.First(d => d.Contains("\"l2_data\"") && d.Contains("\"snapshot\""));
        foreach (var level in frame["events"]![0]!["updates"]!.AsArray())
            level!["event_time"] = daysEarlier < 0 ? "2000-01-01T00:00:00.000000Z" : ShiftIso((string)level["event_time"]!, TimeSpan.FromDays(-daysEarlier));
        c.Set(i, frame);
        var r = WithinSeconds(60, () => Record(dir, "coinbase", c.Save(dir.File("c.jsonl.gz"))));
        Assert.True(r.ExitCode == 0, r.Error);
        var report = Checked(dir, r);
        long l2 = report.Rows["l2"];
        output.WriteLine($"{daysEarlier} days earlier: {l2:N0} L2 rows (unedited: {plainL2:N0})");
        Assert.InRange(l2, 1, plainL2); // no back-filled sample for the time before the recorder had the book
        // The snapshot's rows (deltas and its resync marker) keep the time the exchange gave its levels; no sample or bar
        // is made for any day before the recording.
        var derived = Directory.GetFiles(dir.File("root"), "*.tks", SearchOption.AllDirectories)
            .Where(f => f.Contains($"{Path.DirectorySeparatorChar}l2{Path.DirectorySeparatorChar}") || f.Contains($"{Path.DirectorySeparatorChar}bars{Path.DirectorySeparatorChar}"));
        Assert.All(derived, f => Assert.StartsWith("2026-08-09", Path.GetFileName(f)));
    }

    [Fact]
    public void AnOkxHistoryTradeFromYearsAgoMakesNoFlatBars()
    {
        using var dir = new TempDir();
        var c = CaptureEdit.Okx();
        // The trade OKX sends at subscription (BTC-USD-220527, id 7849), dated 2000; the next one follows it by id.
        var (i, frame) = c.First(d => d.Contains("\"channel\":\"trades\"") && d.Contains("\"tradeId\":\"7849\""));
        frame["data"]![0]!["ts"] = "946771200000";
        c.Set(i, frame);
        var next = c.Frames(d => d.Contains("\"tradeId\"") && d.Contains("BTC-USD-220527")).Skip(1).First();
        next.Frame["data"]![0]!["tradeId"] = "7850";
        c.Set(next.Index, next.Frame);
        var r = WithinSeconds(60, () => Record(dir, "okx", c.Save(dir.File("okx.jsonl.gz"))));
        Assert.True(r.ExitCode == 0, r.Error);
        var s = Summary(dir);
        Assert.Equal(0, s.GetProperty("bars_flat").GetInt64());
        Checked(dir, r);
        Assert.True(s.GetProperty("rows_bars").GetInt64() < 100, s.GetProperty("rows_bars").ToString());
    }

    [Theory]
    [InlineData(5 * 365)]  // a delta five years ahead
    [InlineData(-20 * 365)] // twenty years back
    public void ABybitArchiveLineOutsideItsDayIsRefusedAndMakesNoRows(int days)
    {
        using var dir = new TempDir();
        var lines = BybitArchive();
        var bad = JsonNode.Parse(lines[40])!.AsObject();
        long shift = days * 86_400_000L;
        bad["ts"] = (long)bad["ts"]! + shift;
        bad["cts"] = (long)bad["cts"]! + shift;
        lines[40] = bad.ToJsonString();
        File.WriteAllText(dir.File("2026-08-09_BTCUSDT_ob500.data"), string.Join("\n", lines) + "\n");
        var r = WithinSeconds(60, () => CliRunner.Run("import", "bybit-book", dir.File("2026-08-09_BTCUSDT_ob500.data"), "--market", "linear", "--data", dir.File("root")));
        Assert.Equal(1, r.ExitCode); // the line is malformed, and the next delta is a gap
        Assert.Contains("archive line whose ts is outside the archive's day: 1", r.Error);
        Invariants.Check(dir.File("root"));
        Assert.Equal(["2026-08-09"], Days(dir.File("root")).Where(d => d != "2026-08-10").ToArray());
    }

    /// <summary>The linear BTCUSDT book messages of the Bybit capture (its connection BYBIT.ws.2), as Bybit's archive lines.</summary>
    public static List<string> BybitArchive() =>
        CaptureEdit.Bybit().Records.Where(r => (string?)r["t"] == "recv" && (string?)r["conn"] == "BYBIT.ws.2")
            .Select(r => (string)r["data"]!).Where(d => d.Contains("\"topic\":\"orderbook.200.BTCUSDT\"")).ToList();

    // ---- 2. One bad sequence number never freezes or silences a stream ----

    [Fact]
    public void ACoinbaseSequenceNumberFarAheadLosesNoTradeAndTheBooksResync()
    {
        using var dir = new TempDir();
        var plain = Record(dir, "coinbase", RepoPaths.Fixture("coinbase/cryptofeed_COINBASE_advanced_trade.jsonl.gz"), "plain");
        long trades = Summary(dir, "plain").GetProperty("rows_trades").GetInt64();
        var c = CaptureEdit.Coinbase();
        var (i, frame) = c.Frames(d => d.Contains("\"l2_data\"") && d.Contains("\"update\"")).Skip(50).First();
        frame["sequence_num"] = (long)frame["sequence_num"]! + 1_000_000;
        c.Set(i, frame);
        var r = Record(dir, "coinbase", c.Save(dir.File("c.jsonl.gz")));
        Assert.True(r.ExitCode == 0, r.Error);
        var s = Summary(dir);
        Assert.Equal(trades, s.GetProperty("rows_trades").GetInt64()); // every trade kept
        Assert.True(s.GetProperty("gaps").GetInt64() >= 1);
        Assert.Equal(1, s.GetProperty("sequence_backwards").GetInt64()); // the count went back once: a gap, counted on from there
        Assert.True(s.GetProperty("sequence_repeats").GetInt64() == 0, "no frame dropped as a repeat");
        Checked(dir, r);
        var v = CliRunner.Run("validate", "--data", dir.File("root"));
        Assert.Contains("sequence gap (stored marker)", v.Out);
    }

    /// <summary>The OKX capture with the sequence fields OKX sends now (seqId, prevSeqId) numbered onto its books messages.</summary>
    private static CaptureEdit OkxWithSequence()
    {
        var c = CaptureEdit.Okx();
        var last = new Dictionary<string, long>();
        foreach (var (i, f) in c.Frames(d => d.Contains("\"channel\":\"books\"") && d.Contains("\"action\"")).ToList())
        {
            string inst = (string)f["arg"]!["instId"]!;
            bool snapshot = (string?)f["action"] == "snapshot";
            long seq = last.GetValueOrDefault(inst, 1000) + 10;
            f["data"]![0]!["prevSeqId"] = snapshot ? -1 : last[inst];
            f["data"]![0]!["seqId"] = seq;
            last[inst] = seq;
            c.Set(i, f);
        }
        return c;
    }

    [Fact]
    public void AnOkxSeqIdJumpIsAGapNotABookFrozenInSync()
    {
        using var dir = new TempDir();
        var c = OkxWithSequence();
        var updates = c.Frames(d => d.Contains("\"instId\":\"BTC-USDT\"") && d.Contains("\"action\":\"update\"")).ToList();
        var (i, f) = updates[20];
        f["data"]![0]!["seqId"] = (long)f["data"]![0]!["seqId"]! + 1_000_000; // its prevSeqId is right: it applies, then nothing follows it
        c.Set(i, f);
        var r = Record(dir, "okx", c.Save(dir.File("okx.jsonl.gz")));
        Assert.True(r.ExitCode == 0, r.Error);
        var s = Summary(dir);
        Assert.Equal(1, s.GetProperty("sequence_backwards").GetInt64()); // the next update is behind the book: a gap at once
        Assert.True(s.GetProperty("gaps").GetInt64() >= 1);
        Assert.True(s.GetProperty("diffs_stale").GetInt64() <= 1, "no run of updates dropped with the book in sync");
        Checked(dir, r);
        // From the gap, no level change is stored as in sync: the deltas after it start from a snapshot (none in this capture).
        var v = CliRunner.Run("validate", "--data", dir.File("root"));
        Assert.Contains("sequence gap (stored marker)", v.Out);
    }

    [Fact]
    public void AnOkxUpdateWithNeitherSeqIdNorChecksumCannotKeepABook()
    {
        using var dir = new TempDir();
        var c = CaptureEdit.Okx();
        var (i, f) = c.Frames(d => d.Contains("\"instId\":\"BTC-USDT\"") && d.Contains("\"action\":\"update\"")).Skip(10).First();
        f["data"]![0]!["checksum"] = 0;
        c.Set(i, f);
        var r = Record(dir, "okx", c.Save(dir.File("okx.jsonl.gz")));
        Assert.True(r.ExitCode == 0, r.Error);
        var s = Summary(dir);
        Assert.Equal(1, s.GetProperty("unverifiable_updates").GetInt64());
        Assert.True(s.GetProperty("gaps").GetInt64() >= 1); // a gap marker, the book out of sync until a snapshot
        Checked(dir, r);
    }

    // ---- 4. Nothing doubled ----

    [Fact]
    public void IngestingTheSameSourceTwiceIsRefusedUnlessForced()
    {
        using var dir = new TempDir();
        File.WriteAllText(dir.File("t.csv"), "timestamp,symbol,price,quantity,side,trade_id\n1723161255342,BTCUSDT,61837.63,0.02,sell,1\n1723161255617,BTCUSDT,61837.64,0.048,buy,2\n");
        string root = dir.File("root");
        Assert.Equal(0, CliRunner.Run("import", "csv", dir.File("t.csv"), "--schema", "trades", "--exchange", "binance", "--data", root, "--quiet").ExitCode);
        File.Copy(dir.File("t.csv"), dir.File("copy.csv")); // the same bytes under another name
        var again = CliRunner.Run("import", "csv", dir.File("copy.csv"), "--schema", "trades", "--exchange", "binance", "--data", root, "--quiet");
        Assert.Equal(1, again.ExitCode);
        Assert.Contains("already ingested", again.Error);
        Assert.Equal(2, Invariants.Check(root).Rows["trades"]);
        Assert.Equal(0, CliRunner.Run("import", "csv", dir.File("copy.csv"), "--schema", "trades", "--exchange", "binance", "--data", root, "--quiet", "--force").ExitCode);
        Assert.Equal(4, Invariants.Check(root).Rows["trades"]);

        // A capture recorded twice into one root.
        string capture = RepoPaths.Fixture("okx/cryptofeed_OKX_v5.jsonl.gz");
        Assert.Equal(0, Record(dir, "okx", capture, "r2").ExitCode);
        long rows = Invariants.Check(dir.File("r2")).Rows.Values.Sum();
        var twice = Record(dir, "okx", capture, "r2");
        Assert.Equal(1, twice.ExitCode);
        Assert.Contains("already ingested", twice.Error);
        Assert.Equal(rows, Invariants.Check(dir.File("r2")).Rows.Values.Sum());

        // A Bybit archive imported twice.
        File.WriteAllText(dir.File("2026-08-09_BTCUSDT_ob500.data"), string.Join("\n", BybitArchive()) + "\n");
        Assert.Equal(0, CliRunner.Run("import", "bybit-book", dir.File("2026-08-09_BTCUSDT_ob500.data"), "--market", "linear", "--data", dir.File("r3"), "--quiet").ExitCode);
        var archiveAgain = CliRunner.Run("import", "bybit-book", dir.File("2026-08-09_BTCUSDT_ob500.data"), "--market", "linear", "--data", dir.File("r3"), "--quiet");
        Assert.Equal(1, archiveAgain.ExitCode);
        Assert.Contains("already ingested", archiveAgain.Error);
    }

    // ---- 5. Nothing an exchange sent is refused for want of scale or range ----

    [Fact]
    public void AnOkxQuantityAboveNinetyTwoBillionIsStoredExactly()
    {
        using var dir = new TempDir();
        var c = CaptureEdit.Okx();
        // UNI-USD-SWAP's first snapshot, a level past the 25 the checksum covers: 5.95e12 contracts (as OKX's ELON-USDT book holds).
        var (i, f) = c.First(d => d.Contains("\"instId\":\"UNI-USD-SWAP\"") && d.Contains("\"action\":\"snapshot\""));
        f["data"]![0]!["bids"]![100]![1] = "5950000000000";
        c.Set(i, f);
        var r = Record(dir, "okx", c.Save(dir.File("okx.jsonl.gz")));
        Assert.True(r.ExitCode == 0, r.Error);
        var s = Summary(dir);
        Assert.Equal(0, s.GetProperty("malformed").GetInt64());
        Assert.Equal(1, s.GetProperty("scale_changes").GetInt64());
        Assert.Equal(0, s.GetProperty("checksum_mismatched").GetInt64());
        Checked(dir, r);
        var csv = CliRunner.Run("export", "csv", "--data", dir.File("root"), "--schema", "deltas", "--symbol", "UNI-USD-SWAP").Text();
        Assert.Contains(",5950000000000\n", csv.Replace(",bid,", ",").Replace(",ask,", ","));
    }

    [Fact]
    public void PricesWithElevenDecimalsAreStoredExactlyInANewPart()
    {
        using var dir = new TempDir();
        var lines = new List<string>();
        using (var gz = new GZipStream(File.OpenRead(RepoPaths.BinanceSpotCapture), CompressionMode.Decompress))
        using (var reader = new StreamReader(gz))
            for (string? l; (l = reader.ReadLine()) is not null;) lines.Add(l);
        int at = lines.FindIndex(20_000, l => l.Contains("\"stream\":\"btcusdt@trade\""));
        lines[at] = System.Text.RegularExpressions.Regex.Replace(lines[at], "\"p\":\"[0-9.]+\"", "\"p\":\"0.00000001234\"");
        File.WriteAllLines(dir.File("capture.txt"), lines);
        var r = CliRunner.Run("record", "--exchange", "binance", "--capture", dir.File("capture.txt"), "--data", dir.File("root"), "--summary-json", dir.File("root.json"), "--quiet");
        Assert.True(r.ExitCode == 0, r.Error);
        var s = Summary(dir);
        Assert.Equal(0, s.GetProperty("malformed").GetInt64());
        Assert.Equal(1, s.GetProperty("scale_changes").GetInt64());
        Checked(dir, r);
        Assert.True(File.Exists(Path.Combine(dir.File("root"), "binance", "BTCUSDT", "trades", "2024-08-08.1.tks")), "the trades continue in a part at the new scale");
        var csv = CliRunner.Run("export", "csv", "--data", dir.File("root"), "--schema", "trades").Text();
        Assert.Contains(",0.00000001234,", csv);
        Assert.Equal(9_758, csv.Split('\n', StringSplitOptions.RemoveEmptyEntries).Length); // header + every trade
        // Replay, backtest and validate read both parts as one instrument.
        Assert.Equal(0, CliRunner.Run("replay", "--schema", "deltas", "--data", dir.File("root"), "--quiet").ExitCode);
        var v = CliRunner.Run("validate", "--data", dir.File("root"));
        Assert.DoesNotContain("bar disagrees", v.Out);
    }

    [Fact]
    public void AnIncrementPastEighteenDecimalsDisablesNothing()
    {
        using var dir = new TempDir();
        var c = CaptureEdit.Bybit();
        // Every tick size of both markets' lists (spot lists BTCUSDT too) at 19 decimals, past what a 64-bit price holds.
        foreach (int i in c.Records.Select((r, k) => (r, k)).Where(x => (string?)x.r["t"] == "http").Select(x => x.k).ToList())
            c.SetText(i, System.Text.RegularExpressions.Regex.Replace(c.Text(i), "\"tickSize\":\"[0-9.]+\"", "\"tickSize\":\"0.0000000000000000001\""));
        var r = Record(dir, "bybit", c.Save(dir.File("b.jsonl.gz")));
        Assert.True(r.ExitCode == 0, r.Error);
        Assert.Equal(0, Summary(dir).GetProperty("malformed").GetInt64());
        Checked(dir, r);
    }

    [Fact]
    public void QuietBooksKeepTheirSnapshots()
    {
        using var dir = new TempDir();
        // Bybit: a snapshot whose book last changed an hour ago (cts), sent now (ts).
        var c = CaptureEdit.Bybit();
        foreach (var (i, f) in c.Frames(d => d.Contains("\"type\":\"snapshot\"") && d.Contains("orderbook")).ToList())
        {
            f["cts"] = (long)f["cts"]! - 3_600_000;
            c.Set(i, f);
        }
        var r = Record(dir, "bybit", c.Save(dir.File("b.jsonl.gz")));
        Assert.True(r.ExitCode == 0, r.Error);
        var s = Summary(dir);
        Assert.Equal(0, s.GetProperty("malformed").GetInt64());
        Assert.True(s.GetProperty("syncs").GetInt64() >= 6);
        Checked(dir, r);
        // OKX: a snapshot made an hour before it was sent (an option nobody trades).
        var o = CaptureEdit.Okx();
        foreach (var (i, f) in o.Frames(d => d.Contains("\"action\":\"snapshot\"")).ToList())
        {
            f["data"]![0]!["ts"] = (long.Parse((string)f["data"]![0]!["ts"]!, CultureInfo.InvariantCulture) - 3_600_000).ToString(CultureInfo.InvariantCulture);
            o.Set(i, f);
        }
        var ro = Record(dir, "okx", o.Save(dir.File("o.jsonl.gz")), "okx");
        Assert.True(ro.ExitCode == 0, ro.Error);
        Assert.Equal(0, Summary(dir, "okx").GetProperty("malformed").GetInt64());
        Assert.Equal(3, Summary(dir, "okx").GetProperty("syncs").GetInt64());
        Checked(dir, ro, "okx");
    }

    // ---- 6. Every channel a venue serves for books, and the right market ----

    [Theory]
    [InlineData("books-l2-tbt")]
    [InlineData("books50-l2-tbt")]
    public void OkxTickByTickChannelsKeepTheSameBooks(string channel)
    {
        using var dir = new TempDir();
        var plain = Record(dir, "okx", RepoPaths.Fixture("okx/cryptofeed_OKX_v5.jsonl.gz"), "plain");
        var c = CaptureEdit.Okx();
        for (int i = 0; i < c.Records.Count; i++)
            if ((string?)c.Records[i]["t"] == "recv") c.SetText(i, c.Text(i).Replace("\"channel\":\"books\"", $"\"channel\":\"{channel}\""));
        var r = Record(dir, "okx", c.Save(dir.File("okx.jsonl.gz")));
        Assert.True(r.ExitCode == 0, r.Error);
        Assert.Equal(Summary(dir, "plain").GetProperty("rows_deltas").GetInt64(), Summary(dir).GetProperty("rows_deltas").GetInt64());
        Assert.Equal(0, Summary(dir).GetProperty("unknown").GetInt64() - Summary(dir, "plain").GetProperty("unknown").GetInt64());
        Checked(dir, r);
    }

    [Fact]
    public void OkxBooks5AndBboAreBooksOfTheirOwnBesideNone()
    {
        using var dir = new TempDir();
        var c = CaptureEdit.Okx();
        // Every BTC-USDT books message as a books5 message (each a whole top of the book: a snapshot of its own).
        foreach (var (i, f) in c.Frames(d => d.Contains("\"instId\":\"BTC-USDT\"") && d.Contains("\"channel\":\"books\"") && d.Contains("\"action\"")).ToList())
        {
            f["arg"]!["channel"] = "books5";
            f.Remove("action");
            var d = f["data"]![0]!.AsObject();
            d.Remove("checksum");
            c.Set(i, f);
        }
        var r = Record(dir, "okx", c.Save(dir.File("okx.jsonl.gz")));
        Assert.True(r.ExitCode == 0, r.Error);
        var s = Summary(dir);
        Assert.Equal(0, s.GetProperty("malformed").GetInt64());
        var status = CliRunner.Run("export", "csv", "--data", dir.File("root"), "--schema", "status", "--symbol", "BTC-USDT").Text();
        Assert.Equal(1, status.Split('\n').Count(l => l.Contains(",resync", StringComparison.Ordinal) || l.Contains(",4,", StringComparison.Ordinal))); // one sync, then snapshots in sync
        Checked(dir, r);
    }

    [Fact]
    public void BybitOrderbookOneWritesOneResyncMarker()
    {
        using var dir = new TempDir();
        var c = CaptureEdit.Bybit();
        // Every linear BTCUSDT book message as orderbook.1 (each a snapshot, as Bybit sends that depth).
        foreach (var (i, f) in c.Frames(d => d.Contains("\"topic\":\"orderbook.200.BTCUSDT\"")).ToList())
        {
            f["topic"] = "orderbook.1.BTCUSDT";
            f["type"] = "snapshot";
            var data = f["data"]!.AsObject();
            foreach (var side in new[] { "b", "a" })
                if (data[side] is JsonArray levels)
                {
                    var keep = levels.Where(l => (string)l![1]! != "0").Take(1).Select(l => l!.DeepClone()).ToArray();
                    data[side] = new JsonArray(keep);
                }
            c.Set(i, f);
        }
        var r = Record(dir, "bybit", c.Save(dir.File("b.jsonl.gz")));
        Assert.True(r.ExitCode == 0, r.Error);
        var s = Summary(dir);
        Assert.True(s.GetProperty("snapshots_in_sync").GetInt64() > 100);
        var status = CliRunner.Run("export", "csv", "--data", dir.File("root"), "--schema", "status", "--exchange", "bybit", "--symbol", "BTCUSDT", "--full").Text();
        int resyncs = status.Split('\n').Count(l => l.Split(',').Length > 2 && l.Contains("resync", StringComparison.OrdinalIgnoreCase));
        Assert.InRange(resyncs, 1, 2); // the first sync (both markets' BTCUSDT share nothing: linear only here)
        Checked(dir, r);
    }

    [Fact]
    public void TwoBybitFilesWhoseConnectionsShareANameKeepTheirMarkets()
    {
        using var dir = new TempDir();
        var linear = CaptureEdit.Bybit();
        linear.Records.RemoveAll(r => (string?)r["conn"] == "BYBIT.ws.3");
        var spot = CaptureEdit.Bybit();
        spot.Records.RemoveAll(r => (string?)r["conn"] == "BYBIT.ws.2");
        foreach (var r in spot.Records) if ((string?)r["conn"] == "BYBIT.ws.3") r["conn"] = "BYBIT.ws.2"; // the same name as the linear file's
        linear.Save(dir.File("a-linear.jsonl.gz"));
        spot.Save(dir.File("b-spot.jsonl.gz"));
        var r2 = CliRunner.Run("record", "--exchange", "bybit", "--capture", dir.File("a-linear.jsonl.gz"), dir.File("b-spot.jsonl.gz"), "--data", dir.File("root"), "--quiet");
        Assert.True(r2.ExitCode == 0, r2.Error);
        var both = CliRunner.Run("record", "--exchange", "bybit", "--capture", RepoPaths.Fixture("bybit/cryptofeed_BYBIT_v5_linear_spot.jsonl.gz"), "--data", dir.File("whole"), "--quiet");
        Assert.True(both.ExitCode == 0, both.Error);
        // Spot trades under bybit-spot, as when the two connections were in one file; none mixed into linear.
        foreach (var (ex, sym) in new[] { ("bybit", "BTCUSDT"), ("bybit-spot", "BTCUSDT"), ("bybit-spot", "ETHUSDT") })
        {
            string Trades(string root) => CliRunner.Run("export", "csv", "--data", dir.File(root), "--schema", "trades", "--exchange", ex, "--symbol", sym).Text();
            Assert.Equal(Trades("whole"), Trades("root"));
        }
        Invariants.Check(dir.File("root"));
    }

    [Fact]
    public void AnInstrumentListWithANumericSymbolStopsNothing()
    {
        using var dir = new TempDir();
        var c = CaptureEdit.Bybit();
        int i = c.Records.FindIndex(r => (string?)r["t"] == "http" && ((string)r["url"]!).Contains("category=linear"));
        var body = JsonNode.Parse(c.Text(i))!.AsObject();
        body["result"]!["list"]![0]!["symbol"] = 12345;
        c.SetText(i, body.ToJsonString());
        var r = Record(dir, "bybit", c.Save(dir.File("b.jsonl.gz")));
        Assert.True(r.ExitCode == 0, r.Error);
        Assert.DoesNotContain("internal error", r.Error);
        Assert.True(Summary(dir).GetProperty("rows_trades").GetInt64() > 300);
        Checked(dir, r);
    }

    [Fact]
    public void OkxHistoryTradesLeaveValidateClean()
    {
        using var dir = new TempDir();
        // The trade OKX sends at subscription, of an instrument nobody traded for an hour (UNI-USD-SWAP's, dated an hour back).
        var c = CaptureEdit.Okx();
        var (i, f) = c.First(d => d.Contains("\"tradeId\"") && d.Contains("UNI-USD-SWAP"));
        f["data"]![0]!["ts"] = (long.Parse((string)f["data"]![0]!["ts"]!, CultureInfo.InvariantCulture) - 3_600_000).ToString(CultureInfo.InvariantCulture);
        c.Set(i, f);
        var r = Record(dir, "okx", c.Save(dir.File("okx.jsonl.gz")));
        Assert.True(r.ExitCode == 0, r.Error);
        var v = CliRunner.Run("validate", "--data", dir.File("root"));
        Assert.True(v.ExitCode == 0, v.Out);
        Assert.Contains("no problems", v.Out);
        Checked(dir, r);
    }

    // ---- 7. Damage is never laundered ----

    private static string ZipArchiveOf(TempDir dir, IEnumerable<string> lines, string name = "2026-08-09_BTCUSDT_ob500.data")
    {
        string zip = dir.File(name + ".zip");
        using var z = ZipFile.Open(zip, ZipArchiveMode.Create);
        using var w = new StreamWriter(z.CreateEntry(name, CompressionLevel.NoCompression).Open());
        foreach (var l in lines) w.Write(l + "\n");
        return zip;
    }

    [Fact]
    public void ADamagedArchiveImportsNothingAndSaysWhere()
    {
        using var dir = new TempDir();
        var lines = BybitArchive();
        // A bit flipped in a price digit: the zip's CRC-32 no longer matches.
        string zip = ZipArchiveOf(dir, lines);
        var bytes = File.ReadAllBytes(zip);
        int at = System.Text.Encoding.ASCII.GetString(bytes).IndexOf("\"b\":[[\"", StringComparison.Ordinal) + 8;
        bytes[at] ^= 0x01;
        File.WriteAllBytes(zip, bytes);
        var flipped = CliRunner.Run("import", "bybit-book", zip, "--market", "linear", "--data", dir.File("root"));
        Assert.Equal(1, flipped.ExitCode);
        Assert.Contains("CRC-32", flipped.Error);
        Assert.Contains("nothing was imported", flipped.Error);
        Assert.False(Directory.Exists(Path.Combine(dir.File("root"), "bybit")));

        // One huge line (2 MB of zip, tens of MB unpacked): refused at the line limit, memory bounded.
        string huge = dir.File("huge");
        Directory.CreateDirectory(huge);
        using (var z = ZipFile.Open(Path.Combine(huge, "2026-08-09_BTCUSDT_ob500.data.zip"), ZipArchiveMode.Create))
        using (var s = z.CreateEntry("2026-08-09_BTCUSDT_ob500.data", CompressionLevel.SmallestSize).Open())
        {
            var block = new byte[1 << 20];
            Array.Fill(block, (byte)'a');
            for (int k = 0; k < 40; k++) s.Write(block);
        }
        long before = GC.GetTotalMemory(false);
        var big = WithinSeconds(60, () => CliRunner.Run("import", "bybit-book", Path.Combine(huge, "2026-08-09_BTCUSDT_ob500.data.zip"), "--market", "linear", "--data", dir.File("root2")));
        Assert.Equal(1, big.ExitCode);
        Assert.Contains("a line longer than", big.Error);
        Assert.DoesNotContain("internal error", big.Error);

        // A zip cut short: the file named.
        string cut = ZipArchiveOf(dir, lines, "2026-08-10_BTCUSDT_ob500.data");
        var all = File.ReadAllBytes(cut);
        File.WriteAllBytes(cut, all[..(all.Length * 2 / 3)]);
        var cutRun = CliRunner.Run("import", "bybit-book", cut, "--market", "linear", "--data", dir.File("root3"));
        Assert.Equal(1, cutRun.ExitCode);
        Assert.Contains(Path.GetFileName(cut), cutRun.Error);

        // No snapshot: nothing imported, exit 1.
        var noSnapshot = CliRunner.Run("import", "bybit-book", ZipArchiveOf(dir, lines.Skip(1), "2026-08-11_BTCUSDT_ob500.data"), "--market", "linear", "--data", dir.File("root4"));
        Assert.Equal(1, noSnapshot.ExitCode);
        Assert.Contains("no snapshot", noSnapshot.Error);
    }

    [Fact]
    public void ACrossedBookInAnArchiveExitsOneAndValidateSaysSo()
    {
        using var dir = new TempDir();
        var lines = BybitArchive();
        var bad = JsonNode.Parse(lines[30])!.AsObject();
        bad["data"]!["b"] = new JsonArray(new JsonArray("999999", "1")); // a bid far above every ask
        lines[30] = bad.ToJsonString();
        File.WriteAllText(dir.File("2026-08-09_BTCUSDT_ob500.data"), string.Join("\n", lines) + "\n");
        var r = CliRunner.Run("import", "bybit-book", dir.File("2026-08-09_BTCUSDT_ob500.data"), "--market", "linear", "--data", dir.File("root"));
        Assert.Equal(1, r.ExitCode);
        Assert.Contains("crossed", r.Error);
        var v = CliRunner.Run("validate", "--data", dir.File("root"));
        Assert.Equal(1, v.ExitCode);
        Assert.Contains("book found invalid", v.Out);
    }

    [Fact]
    public void UndecodableTextIdsAreDamageInExportAndInspect()
    {
        using var dir = new TempDir();
        string root = dir.File("root");
        var schema = SegmentSchema.Create(SchemaKind.Trades, textTradeIds: true);
        using (var w = new Storage.Writing.PartitionedWriter(root, "bybit", "BTCUSDT", schema))
        {
            long t = 1_786_310_819_000_000_000;
            w.Append([t, t, 0x6162636465666768, 0x696A6B6C6D6E6F70, 100_000_000, 1, 1, 3L << 11]); // "abcdefghijklmnop"
            // Text form, but a control byte inside: valid CRC, not an id.
            w.Append([t + 1, t + 1, 0x61626301_65666768, 0x696A6B6C6D6E6F70, 100_000_000, 1, 1, 3L << 11]);
        }
        var export = CliRunner.Run("export", "csv", "--data", root, "--schema", "trades", "--full");
        Assert.Equal(1, export.ExitCode);
        Assert.DoesNotContain("invalid", export.Text());
        Assert.Contains("not a valid id", export.Error);
        var inspect = CliRunner.Run("inspect", "--data", root);
        Assert.Equal(1, inspect.ExitCode);
    }

    [Fact]
    public void ExportNeverOverwritesASegmentOrWritesIntoTheRoot()
    {
        using var dir = new TempDir();
        Assert.Equal(0, Record(dir, "okx", RepoPaths.Fixture("okx/cryptofeed_OKX_v5.jsonl.gz")).ExitCode);
        string seg = Directory.GetFiles(dir.File("root"), "*.tks", SearchOption.AllDirectories).First(f => f.Contains("trades"));
        long length = new FileInfo(seg).Length;
        var onto = CliRunner.Run("export", "csv", "--data", dir.File("root"), "--schema", "trades", "--out", seg);
        Assert.Equal(2, onto.ExitCode);
        Assert.Equal(length, new FileInfo(seg).Length);
        var into = CliRunner.Run("export", "csv", "--data", dir.File("root"), "--schema", "trades", "--out", Path.Combine(dir.File("root"), "okx", "trades.csv"));
        Assert.Equal(2, into.ExitCode);
        var ledger = CliRunner.Run("export", "csv", "--data", dir.File("root"), "--schema", "trades", "--out", Path.Combine(dir.File("root"), ".ingested.jsonl"));
        Assert.Equal(2, ledger.ExitCode);
        // Beside the data, at the root's top level (as the README's first command does): allowed, no segment touched.
        Assert.Equal(0, CliRunner.Run("export", "csv", "--data", dir.File("root"), "--schema", "trades", "--out", Path.Combine(dir.File("root"), "trades.csv")).ExitCode);
        var self = CliRunner.Run("export", "csv", "--data", seg, "--out", seg);
        Assert.Equal(2, self.ExitCode);
        Assert.Equal(length, new FileInfo(seg).Length);
        Invariants.Check(dir.File("root"));
    }

    [Fact]
    public void BarVolumeNeverWrapsAround()
    {
        using var dir = new TempDir();
        var lines = new List<string>();
        using (var gz = new GZipStream(File.OpenRead(RepoPaths.BinanceSpotCapture), CompressionMode.Decompress))
        using (var reader = new StreamReader(gz))
            for (string? l; (l = reader.ReadLine()) is not null;) lines.Add(l);
        int first = lines.FindIndex(20_000, l => l.Contains("\"stream\":\"btcusdt@trade\""));
        int second = lines.FindIndex(first + 1, l => l.Contains("\"stream\":\"btcusdt@trade\""));
        foreach (int k in new[] { first, second })
            lines[k] = System.Text.RegularExpressions.Regex.Replace(lines[k], "\"q\":\"[0-9.]+\"", "\"q\":\"50000000000\"");
        File.WriteAllLines(dir.File("capture.txt"), lines);
        var r = CliRunner.Run("record", "--exchange", "binance", "--capture", dir.File("capture.txt"), "--data", dir.File("root"), "--summary-json", dir.File("root.json"), "--quiet");
        Assert.True(r.ExitCode == 0, r.Error);
        Checked(dir, r);
        var bars = CliRunner.Run("export", "csv", "--data", dir.File("root"), "--schema", "bars").Text().Split('\n').Skip(1).Where(l => l.Length > 0).ToList();
        Assert.All(bars, b => Assert.DoesNotContain(",-", b));
        var v = CliRunner.Run("validate", "--data", dir.File("root"));
        Assert.DoesNotContain("volume", v.Out.Split('\n').Where(l => l.Contains("PROBLEMS")).FirstOrDefault() ?? "");
    }

    // ---- 8. Memory bounded from any option ----

    [Fact]
    public void OptionsThatWouldExhaustMemoryAreRefusedAtOnce()
    {
        using var dir = new TempDir();
        Assert.Equal(0, CliRunner.Run("record", "--exchange", "binance", "--capture", RepoPaths.BinanceSpotCapture, "--data", dir.File("root"), "--quiet").ExitCode);
        string root = dir.File("root");
        var grid = WithinSeconds(30, () => CliRunner.Run("tune", "--data", root, "--symbol", "BTCUSDT", "--strategy", "mm", "--grid", "100",
            "--param", "spread_bps=1..10", "--param", "size=0.001..0.01", "--param", "max_position=0.01..0.1", "--param", "refresh_ms=100..1000"));
        Assert.Equal(2, grid.ExitCode);
        Assert.Contains("candidates", grid.Error);
        var interval = WithinSeconds(30, () => CliRunner.Run("backtest", "--data", root, "--symbol", "BTCUSDT", "--strategy", "mm", "--interval", "0.000001s"));
        Assert.Equal(2, interval.ExitCode);
        Assert.Contains("equity points", interval.Error);
        var every = WithinSeconds(30, () => CliRunner.Run("slippage", "--data", root, "--symbol", "BTCUSDT", "--sizes", "0.1", "--every", "0.000001s"));
        Assert.Equal(2, every.ExitCode);
        Assert.Contains("decision points", every.Error);
        var hgrm = WithinSeconds(30, () => CliRunner.Run("backtest", "--data", root, "--symbol", "BTCUSDT", "--strategy", "mm", "--latency-hgrm", "/dev/zero"));
        Assert.Equal(2, hgrm.ExitCode);
        Assert.Contains("not an .hgrm", hgrm.Error);
    }

    // ---- 9. Smaller ----

    [Fact]
    public void QuotedIdsRoundTripUnchanged()
    {
        using var dir = new TempDir();
        File.WriteAllText(dir.File("t.csv"), "exchange,symbol,timestamp,local_timestamp,id,side,price,amount\nbybit,BTCUSDT,1786310819680000,1786310819965676,\"q\"\"x\",sell,65114.2,0.004\n");
        Assert.Equal(0, CliRunner.Run("import", "csv", dir.File("t.csv"), "--schema", "trades", "--data", dir.File("root"), "--quiet").ExitCode);
        var once = CliRunner.Run("export", "csv", "--data", dir.File("root"), "--schema", "trades", "--full").Text();
        Assert.Contains(",\"q\"\"x\",", once);
        File.WriteAllText(dir.File("back.csv"), once);
        Assert.Equal(0, CliRunner.Run("import", "csv", dir.File("back.csv"), "--schema", "trades", "--data", dir.File("root2"), "--quiet").ExitCode);
        Assert.Equal(once, CliRunner.Run("export", "csv", "--data", dir.File("root2"), "--schema", "trades", "--full").Text());
    }

    [Fact]
    public void RecordHelpNamesEveryVenue()
    {
        var help = CliRunner.Run("record", "--help").Out;
        foreach (var v in new[] { "binance", "binance-futures", "bybit", "bybit-spot", "okx", "coinbase", "sim" }) Assert.Contains(v, help);
    }

    [Fact]
    public void LegacyCoinbaseFramesAreUnknownAndOkxUpdatesOutOfSyncAreNotStale()
    {
        using var dir = new TempDir();
        var c = CaptureEdit.Coinbase();
        int at = c.Frames().First().Index;
        c.SetText(at, "{\"type\":\"l2update\",\"product_id\":\"BTC-USD\",\"changes\":[[\"buy\",\"1\",\"1\"]],\"time\":\"2026-08-09T21:05:48.1Z\"}");
        var r = Record(dir, "coinbase", c.Save(dir.File("c.jsonl.gz")));
        Assert.True(r.ExitCode == 0, r.Error);
        Assert.Equal(1, Summary(dir).GetProperty("unknown").GetInt64());

        // OKX updates before their snapshot (the snapshot lines removed): out of sync, not stale.
        var o = CaptureEdit.Okx();
        var snap = o.First(d => d.Contains("\"instId\":\"BTC-USDT\"") && d.Contains("\"action\":\"snapshot\"")).Index;
        o.Records.RemoveAt(snap);
        var ro = Record(dir, "okx", o.Save(dir.File("o.jsonl.gz")), "okx");
        Assert.True(ro.ExitCode == 0, ro.Error);
        Assert.True(Summary(dir, "okx").GetProperty("diffs_out_of_sync").GetInt64() > 50);
        Assert.Equal(0, Summary(dir, "okx").GetProperty("diffs_stale").GetInt64());
    }

    private static int FreePort()
    {
        var l = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        l.Start();
        int port = ((System.Net.IPEndPoint)l.LocalEndpoint).Port;
        l.Stop();
        return port;
    }

    private static async Task WaitForPort(int port, Task running)
    {
        for (int i = 0; i < 200 && !running.IsCompleted; i++)
        {
            try { using var probe = new System.Net.Sockets.TcpClient(); await probe.ConnectAsync(System.Net.IPAddress.Loopback, port); return; }
            catch (System.Net.Sockets.SocketException) { await Task.Delay(50); }
        }
    }

    public static TheoryData<string> Venues => VenueCases.Names;

    [Theory]
    [MemberData(nameof(Venues))]
    public async Task EveryVenuesSimulatorTakesTheFaultRoutes(string venue)
    {
        string symbol = VenueCases.Of(venue).SyntheticSymbols[0];
        int port = FreePort();
        var sim = Task.Run(() => CliRunner.Run("sim", "--venue", venue, "--symbol", symbol, "--port", port.ToString(CultureInfo.InvariantCulture), "--duration", "3"));
        await WaitForPort(port, sim);
        using var http = new System.Net.Http.HttpClient();
        foreach (var fault in new[] { "drop", "stall", "duplicate", "reorder", "malformed", "skipupdateid" })
        {
            var r = await http.PostAsync($"http://127.0.0.1:{port}/_sim/faults/{fault}", null);
            Assert.True(r.IsSuccessStatusCode, $"{venue} {fault}: {(int)r.StatusCode}");
        }
        var binanceOnly = await http.PostAsync($"http://127.0.0.1:{port}/_sim/faults/rest429", null);
        Assert.Equal(System.Net.HttpStatusCode.BadRequest, binanceOnly.StatusCode);
        Assert.Equal(0, (await sim).ExitCode);
    }

    [Fact]
    public async Task ServeAnswersRestDepthAtOnceBeforeItsFirstSubscriber()
    {
        using var dir = new TempDir();
        Assert.Equal(0, CliRunner.Run("record", "--exchange", "binance", "--capture", RepoPaths.BinanceSpotCapture, "--data", dir.File("root"), "--quiet").ExitCode);
        int port = FreePort();
        using var serve = ChildProcess.Start("serve", "--data", dir.File("root"), "--port", port.ToString(CultureInfo.InvariantCulture));
        await WaitForPort(port, Task.Delay(10_000));
        using var http = new System.Net.Http.HttpClient { Timeout = TimeSpan.FromSeconds(5) };
        var sw = System.Diagnostics.Stopwatch.StartNew();
        var r = await http.GetAsync($"http://127.0.0.1:{port}/api/v3/depth?symbol=BTCUSDT&limit=5");
        Assert.True(sw.Elapsed < TimeSpan.FromSeconds(2), $"answered after {sw.Elapsed.TotalSeconds:F1} s");
        Assert.Equal(System.Net.HttpStatusCode.ServiceUnavailable, r.StatusCode); // no book before the market starts: retry
        Assert.NotNull(serve.Terminate(TimeSpan.FromSeconds(5)));
    }

    [Fact]
    public void AForeignLocalePrintsTheInvariantFormat()
    {
        using var dir = new TempDir();
        Assert.Equal(0, CliRunner.Run("record", "--exchange", "binance", "--capture", RepoPaths.BinanceSpotCapture, "--data", dir.File("root"), "--quiet").ExitCode);
        File.WriteAllText(dir.File("t.csv"), "timestamp,symbol,price,quantity,side,trade_id\n1723161255342,BTCUSDT,61837.63,0.02,sell,1\n");
        (int, string, string) Run(params string[] args)
        {
            var psi = new System.Diagnostics.ProcessStartInfo("dotnet", [Path.Combine(AppContext.BaseDirectory, "tickengine.dll"), .. args])
            { RedirectStandardError = true, RedirectStandardOutput = true, UseShellExecute = false };
            foreach (var (k, v) in new[] { ("LANG", "tr_TR.UTF-8"), ("LC_ALL", "tr_TR.UTF-8"), ("DOTNET_SYSTEM_GLOBALIZATION_INVARIANT", "0") }) psi.Environment[k] = v;
            using var p = System.Diagnostics.Process.Start(psi)!;
            var err = p.StandardError.ReadToEndAsync();
            string o = p.StandardOutput.ReadToEnd();
            p.WaitForExit();
            return (p.ExitCode, o, err.Result);
        }
        var (code, _, err) = Run("import", "csv", dir.File("t.csv"), "--schema", "trades", "--exchange", "binance", "--data", dir.File("root2"));
        Assert.True(code == 0, err);
        Assert.Matches(@"in \d+\.\d\d s", err); // "0.12 s", never "0,12 s"
        var (bcode, bout, berr) = Run("backtest", "--data", dir.File("root"), "--symbol", "BTCUSDT", "--strategy", "mm");
        Assert.True(bcode == 0, berr);
        Assert.Matches(@"fill rate \d+\.\d %", bout); // "12.5 %", never "%12,5"
        Assert.DoesNotMatch(@"%\d", bout);
    }
}
