using TickEngine.Simulator.Dialects.Binance;
using System.Diagnostics;
using System.IO.Compression;
using System.Text.Json;
using System.Text.RegularExpressions;
using TickEngine.Storage.Layout;
using TickEngine.Storage.Reading;
using TickEngine.Tests.Shared;
using Xunit;
using Xunit.Abstractions;

namespace TickEngine.Cli.Tests;

/// <summary>
/// The hostile corpus: edited copies of the real Binance spot capture (and damaged data roots), one per defect a
/// hostile user found, each with its expected outcome: what is kept, what is counted, and the exit code. The
/// principle: one bad value never makes up data, never hides damage, never stops recording of good data and never
/// hangs the process; exit 0 means something usable was done. Each copy is made from the real capture by the edit
/// its case names, so the corpus needs no stored copies.
/// </summary>
public class HostileCorpusTests(ITestOutputHelper output)
{
    private const int CaptureTrades = Fixtures.BinanceSpot.Trades;
    private static readonly Lazy<List<string>> Capture = new(() =>
    {
        using var gz = new GZipStream(File.OpenRead(RepoPaths.BinanceSpotCapture), CompressionMode.Decompress);
        using var reader = new StreamReader(gz);
        var lines = new List<string>();
        string? line;
        while ((line = reader.ReadLine()) is not null) lines.Add(line);
        return lines;
    });

    private static List<string> Lines() => new(Capture.Value);

    private static int FirstIndex(List<string> lines, string stream) => lines.FindIndex(l => l.Contains($"\"stream\":\"{stream}\"", StringComparison.Ordinal));

    /// <summary>The first trade frame with one field replaced (a JSON number value).</summary>
    private static string WithNumber(string line, string key, string value) =>
        Regex.Replace(line, $"\"{key}\":-?[0-9]+", $"\"{key}\":{value}");

    private static CliRunner.Result Record(TempDir dir, string capture, string root = "root", params string[] extra) =>
        CliRunner.Run(["record", "--exchange", "binance", "--capture", capture, "--data", dir.File(root), "--summary-json", dir.File(root + ".json"), "--quiet", .. extra]);

    private static JsonElement Summary(TempDir dir, string root = "root") => JsonDocument.Parse(File.ReadAllText(dir.File(root + ".json"))).RootElement;

    private static Dictionary<string, long> Reasons(JsonElement summary) =>
        summary.GetProperty("malformed_by_reason").EnumerateArray().Select(x => x.GetString()!)
            .ToDictionary(x => x[..x.LastIndexOf(':')], x => long.Parse(x[(x.LastIndexOf(':') + 2)..].Replace(",", "")));

    private static List<long[]> Rows(string root, string schema)
    {
        var rows = new List<long[]>();
        foreach (var file in DataRoot.FindSegments(root))
        {
            if (!file.Contains($"{Path.DirectorySeparatorChar}{schema}{Path.DirectorySeparatorChar}", StringComparison.Ordinal)) continue;
            using var r = SegmentReader.Open(file);
            using var c = new SegmentCursor(r, ownsReader: false);
            while (c.MoveNext())
            {
                var row = new long[r.Schema.ColumnCount];
                for (int k = 0; k < row.Length; k++) row[k] = c[k];
                rows.Add(row);
            }
        }
        return rows;
    }

    /// <summary>Runs <paramref name="action"/> and fails (instead of hanging the test run) when it takes longer than <paramref name="seconds"/>.</summary>
    private static T WithinSeconds<T>(int seconds, Func<T> action)
    {
        var task = Task.Run(action);
        Assert.True(task.Wait(TimeSpan.FromSeconds(seconds)), $"did not finish within {seconds} s (a hang)");
        return task.Result;
    }

    // 1. Out-of-range exchange times: a malformed frame, never a time (no 1976 or 1915 day files, no invented bars).
    [Theory]
    [InlineData("99999999999999999")]
    [InlineData("-1723161255342")]
    public void AnExchangeTimeThatOverflowsIsAMalformedFrame(string t)
    {
        using var dir = new TempDir();
        var lines = Lines();
        int i = FirstIndex(lines, "btcusdt@trade");
        lines[i] = WithNumber(lines[i], "T", t);
        File.WriteAllLines(dir.File("capture.txt"), lines);
        var r = WithinSeconds(120, () => Record(dir, dir.File("capture.txt")));
        Assert.True(r.ExitCode == 0, r.Error);
        var s = Summary(dir);
        Assert.Equal(1, Reasons(s)["time out of range (not a time between 2000 and 2100)"]);
        Assert.Equal(CaptureTrades - 1, s.GetProperty("rows_trades").GetInt64());
        Assert.Equal(18, s.GetProperty("rows_bars").GetInt64());
        Assert.All(Directory.GetFiles(dir.File("root"), "*.tks", SearchOption.AllDirectories), f => Assert.StartsWith("2024-08-0", Path.GetFileName(f)));
    }

    // 2. Exchange times bounded against receive times: a trade a day ahead or a diff a year ahead moves no clock.
    [Fact]
    public void ATradeDatedADayAheadIsCountedAndTheTradesAfterItStayInTheirBars()
    {
        using var dir = new TempDir();
        var lines = Lines();
        int i = FirstIndex(lines, "btcusdt@trade");
        long t = long.Parse(Regex.Match(lines[i], "\"T\":([0-9]+)").Groups[1].Value);
        lines[i] = WithNumber(lines[i], "T", (t + 86_400_000).ToString());
        File.WriteAllLines(dir.File("capture.txt"), lines);
        var r = Record(dir, dir.File("capture.txt"));
        Assert.True(r.ExitCode == 0, r.Error);
        var s = Summary(dir);
        Assert.Equal(1, Reasons(s).Single(kv => kv.Key.StartsWith("exchange time more than 10 s from the receive time", StringComparison.Ordinal)).Value);
        Assert.Equal(0, s.GetProperty("late_trades").GetInt64());
        Assert.Equal(CaptureTrades - 1, s.GetProperty("rows_trades").GetInt64());
        Assert.Equal(18, s.GetProperty("rows_bars").GetInt64());
        Assert.All(Rows(dir.File("root"), "bars"), b => Assert.True(b[0] <= 1723161600_000_000_000, "no bar after the capture's end"));
    }

    [Fact]
    public void ADepthDiffDatedAYearAheadMakesUpNoRowAndIsStoredAsAGap()
    {
        using var dir = new TempDir();
        var lines = Lines();
        // A diff well after the sync: dated a year ahead.
        int i = lines.FindIndex(2000, l => l.Contains("\"stream\":\"btcusdt@depth@100ms\"", StringComparison.Ordinal));
        long e = long.Parse(Regex.Match(lines[i], "\"E\":([0-9]+)").Groups[1].Value);
        lines[i] = WithNumber(lines[i], "E", (e + 365L * 86_400_000).ToString());
        File.WriteAllLines(dir.File("capture.txt"), lines);
        var r = Record(dir, dir.File("capture.txt"));
        Assert.True(r.ExitCode == 0, r.Error);
        var s = Summary(dir);
        Assert.Equal(1, s.GetProperty("malformed").GetInt64());
        Assert.Equal(1, s.GetProperty("gaps").GetInt64()); // the next diff does not follow: a gap marker, not a made-up book
        var l2 = Rows(dir.File("root"), "l2");
        Assert.InRange(l2.Count, 1, 346);
        Assert.All(l2, row => Assert.InRange(row[0], 1723161250_000_000_000, 1723161602_000_000_000));
        Assert.Single(Directory.GetFiles(Path.Combine(dir.File("root"), "binance", "BTCUSDT", "deltas")), f => f.Contains("2024-08-08"));
        Assert.DoesNotContain(Directory.GetFiles(dir.File("root"), "*.tks", SearchOption.AllDirectories), f => f.Contains("2025-"));
    }

    // 3. Replay meets a truncated segment: reported, the book out of sync from there, exit 1.
    [Fact]
    public void ReplayReportsATruncatedSegmentAndTheBookGoesOutOfSync()
    {
        using var dir = new TempDir();
        Assert.Equal(0, Record(dir, RepoPaths.BinanceSpotCapture).ExitCode);
        string seg = Path.Combine(dir.File("root"), "binance", "BTCUSDT", "deltas", "2024-08-08.tks");
        var bytes = File.ReadAllBytes(seg);
        File.WriteAllBytes(seg, bytes[..(bytes.Length / 2)]);
        var r = CliRunner.Run("replay", "--schema", "deltas", "--data", dir.File("root"));
        Assert.Equal(1, r.ExitCode);
        Assert.Contains("damaged segment", r.Error);
        Assert.Contains("2024-08-08.tks", r.Error);
        var lines = r.Text().Split('\n', StringSplitOptions.RemoveEmptyEntries);
        int damage = Array.FindIndex(lines, l => l.Contains("damaged segment", StringComparison.Ordinal));
        Assert.True(damage > 0, "the damage is reported in the output where it was met");
        // Past the damage no snapshot came: no book line is printed from a book missing updates.
        Assert.DoesNotContain(lines[(damage + 1)..^1], l => l.Contains("Best bid", StringComparison.Ordinal));
        var imbalance = CliRunner.Run("replay", "--schema", "deltas", "--data", dir.File("root"), "--test-imbalance");
        Assert.Equal(1, imbalance.ExitCode);
    }

    // 4. A symbol that cannot be a directory is a malformed frame; every other symbol records on.
    [Theory]
    [InlineData(".")]
    [InlineData("..")]
    public void ASymbolThatCannotBeADirectoryIsMalformedAndTheOthersRecordOn(string symbol)
    {
        using var dir = new TempDir();
        var lines = Lines();
        int i = FirstIndex(lines, "btcusdt@trade");
        string bad = lines[i].Replace("\"stream\":\"btcusdt@trade\"", $"\"stream\":\"{symbol}@trade\"").Replace("\"s\":\"BTCUSDT\"", $"\"s\":\"{symbol}\"").Replace("\"t\":", "\"t\":1");
        lines.Insert(i + 1, bad);
        File.WriteAllLines(dir.File("capture.txt"), lines);
        var r = Record(dir, dir.File("capture.txt"));
        Assert.True(r.ExitCode == 0, r.Error);
        var s = Summary(dir);
        Assert.Equal(CaptureTrades, s.GetProperty("rows_trades").GetInt64());
        Assert.Equal(18, s.GetProperty("rows_bars").GetInt64());
        Assert.Equal(1, Reasons(s).Single(kv => kv.Key.StartsWith("symbol that cannot be a name", StringComparison.Ordinal)).Value);
        Assert.Empty(s.GetProperty("handler_faults").EnumerateArray());
    }

    // 5. Symbolic links in a data root: a loop is not followed (each row once), a FIFO never blocks.
    [Fact]
    public void ASymlinkLoopOrAFifoInTheDataRootIsNotFollowedAndNothingHangs()
    {
        using var dir = new TempDir();
        Assert.Equal(0, Record(dir, RepoPaths.BinanceSpotCapture, "root", "--schema", "trades").ExitCode);
        string trades = Path.Combine(dir.File("root"), "binance", "BTCUSDT", "trades");
        File.CreateSymbolicLink(Path.Combine(trades, "loop"), "..");
        Directory.CreateSymbolicLink(Path.Combine(dir.File("root"), "binance", "ETHUSDT"), Path.Combine(dir.File("root"), "binance", "BTCUSDT"));
        Run("mkfifo", dir.File("fifo"));
        File.CreateSymbolicLink(Path.Combine(trades, "2024-08-10.tks"), dir.File("fifo"));
        var export = WithinSeconds(60, () => CliRunner.Run("export", "csv", "--data", dir.File("root"), "--schema", "trades"));
        Assert.True(export.ExitCode == 0, export.Error);
        Assert.Equal(CaptureTrades + 1, export.Text().Split('\n', StringSplitOptions.RemoveEmptyEntries).Length);
        Assert.Contains("is a symbolic link: not followed", export.Error);
        var validate = WithinSeconds(60, () => CliRunner.Run("validate", "--data", dir.File("root"), "--json"));
        Assert.True(validate.ExitCode == 0, validate.Out);
        Assert.DoesNotContain("duplicate", validate.Out);
        // A FIFO (no link) where a segment should be: refused by name, not opened.
        File.Delete(Path.Combine(trades, "2024-08-10.tks"));
        Run("mkfifo", Path.Combine(trades, "2024-08-11.tks"));
        var export2 = WithinSeconds(60, () => CliRunner.Run("export", "csv", "--data", dir.File("root"), "--schema", "trades"));
        Assert.Equal(1, export2.ExitCode);
        Assert.Contains("2024-08-11.tks", export2.Error);
        Assert.Contains("not a regular file", export2.Error);
        var inspect = WithinSeconds(60, () => CliRunner.Run("inspect", "--data", dir.File("root")));
        Assert.Equal(1, inspect.ExitCode);
        Assert.DoesNotContain("internal error", inspect.Error + inspect.Out);
    }

    private static void Run(string file, params string[] args)
    {
        var psi = new ProcessStartInfo(file);
        foreach (var a in args) psi.ArgumentList.Add(a);
        using var p = Process.Start(psi)!;
        p.WaitForExit();
        Assert.Equal(0, p.ExitCode);
    }

    // 6. A gzip capture cut short is an error naming the file and where; the rows before it are kept.
    [Fact]
    public void ATruncatedGzipCaptureIsAnErrorAndTheRowsBeforeItAreKept()
    {
        using var dir = new TempDir();
        var all = File.ReadAllBytes(RepoPaths.BinanceSpotCapture);
        File.WriteAllBytes(dir.File("half.gz"), all[..(all.Length / 2)]);
        var r = Record(dir, dir.File("half.gz"));
        Assert.Equal(1, r.ExitCode);
        Assert.Contains("half.gz", r.Error);
        Assert.Contains($"at byte {all.Length / 2:N0}", r.Error);
        Assert.Contains("cut short", r.Error);
        // Every trade in the readable half was recorded.
        using var gz = new GZipStream(new MemoryStream(all[..(all.Length / 2)]), CompressionMode.Decompress);
        int complete = new StreamReader(gz).ReadToEnd().Split('\n').SkipLast(1).Count(l => l.Contains("@trade\"", StringComparison.Ordinal));
        Assert.Equal(complete, Rows(dir.File("root"), "trades").Count);
        Assert.True(complete > 3000);
    }

    // 7. The first bar of a recording that starts inside its interval is partial, like the last.
    [Fact]
    public void TheFirstBarOfARecordingThatStartsMidIntervalIsPartial()
    {
        using var dir = new TempDir();
        Assert.Equal(0, Record(dir, RepoPaths.BinanceSpotCapture).ExitCode);
        var bars = Rows(dir.File("root"), "bars");
        const long Partial = 512;
        // The recording starts at 23:54:15: the 23:54 minute (and every longer bar around it) began before it.
        var first = bars.Where(b => b[0] == 1723161240_000_000_000 && b[2] == 60_000_000_000).Single();
        Assert.Equal(Partial, first[12] & Partial);
        foreach (var b in bars.Where(b => b[2] == 60_000_000_000 && b[0] > 1723161240_000_000_000 && b[0] < 1723161600_000_000_000))
            Assert.Equal(0, b[12] & Partial); // minutes fully inside the recording
        Assert.All(bars.Where(b => b[0] < 1723161240_000_000_000 + 1), b => Assert.Equal(Partial, b[12] & Partial));
    }

    // 9. Clear messages instead of "internal error".
    [Fact]
    public void InspectOfAnEmptyOrForeignSegmentNamesItWithoutAnInternalError()
    {
        using var dir = new TempDir();
        Assert.Equal(0, Record(dir, RepoPaths.BinanceSpotCapture, "root", "--schema", "trades").ExitCode);
        string trades = Path.Combine(dir.File("root"), "binance", "BTCUSDT", "trades");
        File.WriteAllBytes(Path.Combine(trades, "2024-08-10.tks"), []);
        File.WriteAllBytes(Path.Combine(trades, "2024-08-11.tks"), "this is not a segment at all"u8.ToArray());
        var r = CliRunner.Run("inspect", "--data", dir.File("root"));
        Assert.Equal(1, r.ExitCode);
        Assert.DoesNotContain("internal error", r.Out + r.Error);
        Assert.Contains("2024-08-10.tks", r.Out);
        Assert.Contains("empty", r.Out);
        Assert.Contains("2024-08-11.tks", r.Out);
        Assert.Contains("total: 5 segments", r.Out); // status, two days of trades, and the two bad files
    }

    [Fact]
    public void ATinyReplaySpeedAndABinarySimCaptureGetClearMessages()
    {
        using var dir = new TempDir();
        Assert.Equal(0, Record(dir, RepoPaths.BinanceSpotCapture, "root", "--schema", "trades").ExitCode);
        var speed = CliRunner.Run("replay", "--schema", "trades", "--data", dir.File("root"), "--speed", "0.0000001");
        Assert.Equal(2, speed.ExitCode);
        Assert.Contains("--speed must be max or a number from 0.001", speed.Error);
        File.WriteAllBytes(dir.File("binary.bin"), Enumerable.Range(0, 100_000).Select(i => (byte)(i * 7919 % 251)).ToArray());
        var sim = CliRunner.Run("sim", "--capture", dir.File("binary.bin"), "--duration", "1");
        Assert.Equal(1, sim.ExitCode);
        Assert.Contains("no Binance frames", sim.Error);
        Assert.DoesNotContain("internal error", sim.Error);
        var other = CliRunner.Run("sim", "--capture", RepoPaths.Fixture("bybit/cryptofeed_BYBIT_v5_linear_spot.jsonl.gz"), "--duration", "1");
        Assert.Equal(1, other.ExitCode);
        Assert.Contains("no Binance frames", other.Error);
    }

    // 10. Exit 0 only when something usable was done.
    [Fact]
    public async Task ACaptureThatYieldsNothingUsableExitsWithOneAndSaysWhy()
    {
        using var dir = new TempDir();
        File.WriteAllText(dir.File("empty.txt"), "");
        var empty = Record(dir, dir.File("empty.txt"), "e");
        Assert.Equal(1, empty.ExitCode);
        Assert.Contains("the capture is empty", empty.Error);

        File.WriteAllBytes(dir.File("random.bin"), Enumerable.Range(0, 200_000).Select(i => (byte)(i * 7919 % 251)).ToArray());
        var random = Record(dir, dir.File("random.bin"), "r");
        Assert.Equal(1, random.ExitCode);
        Assert.Contains("nothing usable was recorded", random.Error);

        // Another venue's frames (its header removed, so only the frames can tell).
        using (var gz = new GZipStream(File.OpenRead(RepoPaths.Fixture("bybit/cryptofeed_BYBIT_v5_linear_spot.jsonl.gz")), CompressionMode.Decompress))
            File.WriteAllLines(dir.File("bybit.jsonl"), new StreamReader(gz).ReadToEnd().Split('\n', StringSplitOptions.RemoveEmptyEntries).Skip(1));
        var bybit = Record(dir, dir.File("bybit.jsonl"), "b");
        Assert.Equal(1, bybit.ExitCode);
        Assert.Contains("nothing usable was recorded", bybit.Error);
        var header = Record(dir, RepoPaths.Fixture("bybit/cryptofeed_BYBIT_v5_linear_spot.jsonl.gz"), "h");
        Assert.Equal(1, header.ExitCode);
        Assert.Contains("header names the exchange BYBIT", header.Error);

        // A USD-M futures capture recorded as spot.
        var market = new Simulator.Dialects.Binance.SyntheticMarketSource(["BTCUSDT"], 2_000, seed: 3, startMs: 1723161255000, futures: true);
        await Simulator.CaptureWriter.WriteAsync(market, dir.File("futures.gz"), 5_000);
        var futures = Record(dir, dir.File("futures.gz"), "f");
        Assert.Equal(1, futures.ExitCode);
        Assert.Contains("record the capture with --exchange binance-futures", futures.Error);
    }

    [Fact]
    public void ARestSnapshotWithABadLastUpdateIdIsCountedAndMarkedNotUnknown()
    {
        using var dir = new TempDir();
        var lines = Lines();
        int i = lines.FindIndex(l => l.Contains("{\"lastUpdateId\"", StringComparison.Ordinal));
        lines[i] = Regex.Replace(lines[i], "\"lastUpdateId\":[0-9]+", "\"lastUpdateId\":\"soon\"");
        File.WriteAllLines(dir.File("capture.txt"), lines);
        var r = Record(dir, dir.File("capture.txt"));
        Assert.True(r.ExitCode == 0, r.Error); // the trades are recorded
        var s = Summary(dir);
        Assert.Equal(0, s.GetProperty("unknown").GetInt64());
        Assert.Equal(1, Reasons(s)["REST depth snapshot without a valid lastUpdateId"]);
        Assert.Contains(Rows(dir.File("root"), "status"), row => row[2] == 7); // book_invalid
        Assert.Equal(CaptureTrades, s.GetProperty("rows_trades").GetInt64());
    }

    // 11. Bad values counted by kind: zero or negative prices and quantities, duplicated keys, receive times out of range.
    public static TheoryData<string, string> BadValues => new()
    {
        { "zero trade price", "zero or negative price" },
        { "negative trade quantity", "zero or negative quantity" },
        { "zero level price", "level with a zero or negative price or a negative quantity" },
        { "negative level quantity", "level with a zero or negative price or a negative quantity" },
        { "symbol given twice", "a key given twice in one object" },
        { "negative receive time", "receive time out of range (not a time between 2000 and 2100)" },
        { "receive time years off", "exchange time more than 10 s from the receive time (--max-clock-skew)" },
    };

    [Theory]
    [MemberData(nameof(BadValues))]
    public void ABadValueIsCountedByKindAndNothingOfItIsStored(string edit, string reason)
    {
        using var dir = new TempDir();
        var lines = Lines();
        int trade = FirstIndex(lines, "btcusdt@trade");
        int diff = lines.FindIndex(2000, l => l.Contains("\"stream\":\"btcusdt@depth@100ms\"", StringComparison.Ordinal));
        switch (edit)
        {
            case "zero trade price": lines[trade] = Regex.Replace(lines[trade], "\"p\":\"[0-9.]+\"", "\"p\":\"0.00000000\""); break;
            case "negative trade quantity": lines[trade] = Regex.Replace(lines[trade], "\"q\":\"[0-9.]+\"", "\"q\":\"-1.00000000\""); break;
            case "zero level price": lines[diff] = Regex.Replace(lines[diff], "\"b\":\\[\\[\"[0-9.]+\"", "\"b\":[[\"0.00000000\""); break;
            case "negative level quantity": lines[diff] = Regex.Replace(lines[diff], "\"b\":\\[\\[(\"[0-9.]+\"),\"[0-9.]+\"", "\"b\":[[$1,\"-2.00000000\""); break;
            case "symbol given twice": lines[trade] = lines[trade].Replace("\"s\":\"BTCUSDT\"", "\"s\":\"BTCUSDT\",\"s\":\"ETHUSDT\""); break;
            case "negative receive time": lines[trade] = "-" + lines[trade]; break;
            case "receive time years off": lines[trade] = "1000000000000000000" + lines[trade][lines[trade].IndexOf(' ')..]; break;
        }
        File.WriteAllLines(dir.File("capture.txt"), lines);
        var r = Record(dir, dir.File("capture.txt"));
        Assert.True(r.ExitCode == 0, r.Error);
        var s = Summary(dir);
        output.WriteLine(string.Join("; ", Reasons(s).Select(kv => $"{kv.Key}: {kv.Value}")));
        Assert.Equal(1, Reasons(s)[reason]);
        Assert.Equal(1, s.GetProperty("malformed").GetInt64());
        bool isTrade = !edit.Contains("level", StringComparison.Ordinal);
        Assert.Equal(isTrade ? CaptureTrades - 1 : CaptureTrades, s.GetProperty("rows_trades").GetInt64());
        Assert.DoesNotContain(Rows(dir.File("root"), "trades"), row => row[3] <= 0 || row[4] <= 0);
        Assert.DoesNotContain(Directory.GetDirectories(Path.Combine(dir.File("root"), "binance")), d => !d.EndsWith("BTCUSDT", StringComparison.Ordinal));
    }

    // 13. The command line: nonsense values are refused, not taken to mean something.
    [Theory]
    [InlineData("record --exchange binance --capture CAPTURE --data ROOT --duration -5", "--duration must be a positive duration")]
    [InlineData("record --exchange binance --capture CAPTURE --data ROOT --duration 10", "--duration applies to live recording")]
    [InlineData("record --exchange sim --data ROOT --duration 0", "--duration must be a positive duration")]
    [InlineData("record --exchange sim --data ROOT --symbol", "Required argument missing for option: '--symbol'")]
    [InlineData("record --exchange sim --data ROOT --symbols , --duration 1", "has an empty item")]
    [InlineData("sim --symbol ../../etc --duration 1", "'../../ETC' is not a symbol")]
    [InlineData("record --exchange sim --data ROOT --duration 1 --sink nosuch:x", "no sink is named 'nosuch' (sinks: parquet, sqlite, postgres)")]
    [InlineData("record --exchange sim --data ROOT --duration 1 --sink parquet", "give the folder")]
    [InlineData("record --exchange sim --data ROOT --duration 1 --sink parquet:PQ,policy=sometimes", "policy must be block, drop, stop or catch-up, got 'sometimes'")]
    [InlineData("record --exchange sim --data ROOT --duration 1 --sink parquet:PQ,rows=0", "rows must be a whole number from 1 to")]
    [InlineData("record --exchange sim --data ROOT --duration 1 --sink parquet:PQ,colour=red", "parquet takes no colour")]
    [InlineData("record --exchange sim --data ROOT --duration 1 --sink parquet:PQ,pause=5,resume=10", "resume (10 rows) must not be above pause (5)")]
    [InlineData("record --exchange sim --data ROOT --duration 1 --sink parquet:PQ,age=-1s", "age must be a positive duration")]
    [InlineData("record --exchange sim --data ROOT --duration 1 --sink parquet:PQ,schemas=trades+candles", "'candles' is not a schema")]
    [InlineData("record --exchange sim --data ROOT --duration 1 --sink parquet:PQ --sink parquet:PQ", "the same sink target is given twice")]
    [InlineData("record --exchange sim --data ROOT --duration 1 --sink parquet:FILE", "is a file; give a folder")]
    [InlineData("record --exchange sim --data ROOT --duration 1 --sink parquet:PQ,PQ2", "'other' has no key")]
    [InlineData("record --exchange sim --data ROOT --duration 1 --sink sqlite", "give the database file")]
    [InlineData("record --exchange sim --data ROOT --duration 1 --sink sqlite:PQ,batch=0", "batch must be a whole number from 1 to")]
    [InlineData("record --exchange sim --data ROOT --duration 1 --sink sqlite:PQ,rows=5", "sqlite takes no rows")]
    [InlineData("record --exchange sim --data ROOT --duration 1 --sink sqlite:DIRECTORY", "is a folder; give a database file")]
    [InlineData("record --exchange sim --data ROOT --duration 1 --sink sqlite:PQ,schemas=ticks", "'ticks' is not a schema")]
    [InlineData("record --exchange sim --data ROOT --duration 1 --sink postgres", "give the connection string")]
    [InlineData("record --exchange sim --data ROOT --duration 1 --sink postgres:Hots=x;Port=1", "the connection string is not one")]
    [InlineData("record --exchange sim --data ROOT --duration 1 --sink postgres:Host=127.0.0.1;Port=1,batch=0", "batch must be a whole number from 1 to")]
    public void NonsenseOnTheCommandLineIsRefused(string line, string message)
    {
        using var dir = new TempDir();
        File.WriteAllText(dir.File("a-file"), "not a folder");
        var args = line.Split(' ').Select(a => a.Replace("CAPTURE", RepoPaths.BinanceSpotCapture).Replace("ROOT", dir.File("root"))
            .Replace("PQ2", "other").Replace("PQ", dir.File("pq")).Replace("FILE", dir.File("a-file")).Replace("DIRECTORY", dir.Path)).ToArray();
        var r = CliRunner.Run(args);
        Assert.Equal(2, r.ExitCode);
        Assert.Contains(message, r.Error, StringComparison.OrdinalIgnoreCase);
        Assert.False(Directory.Exists(dir.File("root")) && Directory.EnumerateFiles(dir.File("root"), "*", SearchOption.AllDirectories).Any(), "nothing recorded");
    }
}
