using System.Globalization;
using System.IO.Compression;
using System.Net;
using System.Net.Sockets;
using System.Text;
using TickEngine.Storage.Format;
using TickEngine.Storage.Layout;
using TickEngine.Storage.Reading;
using TickEngine.Storage.Writing;
using TickEngine.Tests.Shared;
using Xunit;
using Xunit.Abstractions;

namespace TickEngine.Cli.Tests;

/// <summary>Inputs large enough that every verb is still at work a second after it starts.</summary>
public sealed class BigInputs : IDisposable
{
    public const int Passes = 120;
    public const long PassNs = 400_000_000_000; // each copy of the capture's hour... of its 346 s, 400 s after the last
    private readonly TempDir _dir = new();

    public BigInputs()
    {
        // The real Binance capture recorded, then its trades and level changes written again and again, shifted in time and
        // ids: 1.2 M trades and 15 M level changes of real books over 13 hours.
        string seed = _dir.File("seed");
        var r = CliRunner.Run("record", "--exchange", "binance", "--capture", RepoPaths.BinanceSpotCapture, "--data", seed, "--quiet");
        if (r.ExitCode != 0) throw new InvalidOperationException(r.Error);
        Root = _dir.File("big");
        foreach (var (schema, idShift) in new[] { ("trades", 1_000_000L), ("deltas", 1_000_000_000L) })
        {
            var rows = new List<long[]>();
            SegmentSchema? s = null;
            foreach (var path in DataRoot.FindSegments(seed, schema == "trades" ? SchemaKind.Trades : SchemaKind.Deltas))
            {
                using var reader = SegmentReader.Open(path);
                s = reader.Schema;
                using var c = new SegmentCursor(reader, ownsReader: false);
                while (c.MoveNext())
                {
                    var row = new long[s.ColumnCount];
                    for (int k = 0; k < row.Length; k++) row[k] = c[k];
                    rows.Add(row);
                }
            }
            using var w = new PartitionedWriter(Root, "binance", "BTCUSDT", s!);
            var shifted = new long[s!.ColumnCount];
            for (int pass = 0; pass < Passes; pass++)
                foreach (var row in rows)
                {
                    row.CopyTo(shifted, 0);
                    shifted[0] += pass * PassNs;
                    shifted[1] += pass * PassNs;
                    shifted[2] += pass * idShift;
                    if (schema == "deltas") shifted[3] += pass * idShift;
                    w.Append(shifted);
                }
        }
        // The capture forty times over in one gzip file (members back to back).
        Capture = _dir.File("big-capture.gz");
        var bytes = File.ReadAllBytes(RepoPaths.BinanceSpotCapture);
        using (var f = File.Create(Capture)) for (int i = 0; i < 40; i++) f.Write(bytes);
        // A CSV of 3 M trades.
        Csv = _dir.File("big.csv");
        using (var w = new StreamWriter(Csv, false, new UTF8Encoding(false), 1 << 20))
        {
            w.Write("timestamp,symbol,price,quantity,side,trade_id\n");
            long t = 1_723_161_255_342;
            for (int i = 0; i < 3_000_000; i++) w.Write(string.Create(CultureInfo.InvariantCulture, $"{t + i},BTCUSDT,{61_000 + i % 1000}.{i % 100:00},0.{1 + i % 999:000},{(i % 2 == 0 ? "buy" : "sell")},{i + 1}\n"));
        }
        // A Bybit order-book archive of 1.5 M lines: a snapshot, then deltas, 20 ms apart, within its day.
        Archive = _dir.File("2026-08-09_BTCUSDT_ob500.data");
        using (var w = new StreamWriter(Archive, false, new UTF8Encoding(false), 1 << 20))
        {
            long ts = 1_786_233_600_000 + 1_000; // 2026-08-09 00:00:01
            w.Write($"{{\"topic\":\"orderbook.500.BTCUSDT\",\"type\":\"snapshot\",\"ts\":{ts},\"data\":{{\"s\":\"BTCUSDT\",\"b\":[[\"65000\",\"1\"],[\"64999\",\"2\"]],\"a\":[[\"65001\",\"1\"],[\"65002\",\"2\"]],\"u\":1,\"seq\":1}},\"cts\":{ts}}}\n");
            for (int i = 1; i < 1_500_000; i++)
            {
                long t = ts + i * 20;
                string px = (64_990 - i % 9).ToString(CultureInfo.InvariantCulture);
                w.Write(string.Create(CultureInfo.InvariantCulture, $"{{\"topic\":\"orderbook.500.BTCUSDT\",\"type\":\"delta\",\"ts\":{t},\"data\":{{\"s\":\"BTCUSDT\",\"b\":[[\"{px}\",\"{1 + i % 5}\"]],\"a\":[],\"u\":{i + 1},\"seq\":{i + 1}}},\"cts\":{t}}}\n"));
            }
        }
    }

    public string Root { get; }
    public string Capture { get; }
    public string Csv { get; }
    public string Archive { get; }
    public string Scratch(string name) => _dir.File(name);

    public void Dispose() => _dir.Dispose();
}

[CollectionDefinition("signals", DisableParallelization = true)]
public sealed class SignalCollection : ICollectionFixture<BigInputs>;

/// <summary>
/// Every verb stops on SIGTERM within a second, whatever it is doing, with what it committed intact; and a data root
/// has one writer: a second is refused at once with a clear message while the first goes on. Each verb runs as a real
/// child process on inputs large enough to be mid-work when the signal comes (run apart from the other tests, so the
/// second is the verb's, not the machine's).
/// </summary>
[Collection("signals")]
public class SignalTests(BigInputs big, ITestOutputHelper output)
{
    private static readonly TimeSpan Limit = TimeSpan.FromSeconds(1);

    /// <summary>Starts the verb, waits until it is at work (a line it prints, or a moment), sends SIGTERM, and checks the stop.</summary>
    private ChildProcess StopMidWork(string verb, Func<string, bool>? atWork, double settleSeconds, params string[] args) =>
        StopMidWork(verb, null, atWork, settleSeconds, args);

    private ChildProcess StopMidWork(string verb, IReadOnlyDictionary<string, string>? environment, Func<string, bool>? atWork, double settleSeconds, params string[] args)
    {
        var p = ChildProcess.Start(environment, args);
        bool working = atWork is null ? !p.WaitForLine(_ => false, TimeSpan.FromSeconds(settleSeconds)) : p.WaitForLine(atWork, TimeSpan.FromSeconds(60));
        Assert.True(working && !p.Exited, $"{verb}: not at work when the signal was to come (exit {(p.Exited ? p.ExitCode : -1)}):\n{p.Error}");
        var took = p.Terminate(TimeSpan.FromSeconds(10));
        Assert.True(took is not null, $"{verb}: still running 10 s after SIGTERM");
        output.WriteLine($"{verb}: stopped {took!.Value.TotalMilliseconds:F0} ms after SIGTERM, exit {p.ExitCode}");
        Assert.True(took.Value <= Limit, $"{verb}: {took.Value.TotalMilliseconds:F0} ms after SIGTERM (at most {Limit.TotalMilliseconds:F0})");
        Assert.DoesNotContain("Unhandled exception", p.Error);
        Assert.DoesNotContain("internal error", p.Error);
        return p;
    }

    private static int FreePort() => LoopbackPorts.Free();

    [Fact]
    public void RecordLive()
    {
        string root = big.Scratch("live");
        using var p = StopMidWork("record (live)", l => l.Contains("committed"), 0, "record", "--exchange", "sim", "--duration", "120", "--data", root, "--summary-json", root + ".json");
        Assert.Equal(0, p.ExitCode); // a live recording's normal end
        Invariants.Check(root, p.ExitCode, root + ".json");
    }

    [Fact]
    public void RecordLiveWithParquetSinks()
    {
        string root = big.Scratch("live-sinks");
        using var p = StopMidWork("record (live, two Parquet sinks)", l => l.Contains("sink parquet live"), 0, "record", "--exchange", "sim", "--duration", "120", "--data", root,
            "--sink", $"parquet:{root}-pq", "--sink", $"parquet:{root}-pq2,policy=block,pause=1000,rows=500", "--summary-json", root + ".json");
        Assert.Equal(0, p.ExitCode);
        Invariants.Check(root, p.ExitCode, root + ".json");
        Assert.Contains("\"sinks\"", File.ReadAllText(root + ".json"));
    }

    [Fact]
    public void RecordCapture()
    {
        string root = big.Scratch("cap");
        using var p = StopMidWork("record --capture", null, 1.5, "record", "--exchange", "binance", "--capture", big.Capture, "--data", root, "--summary-json", root + ".json");
        Assert.Equal(1, p.ExitCode); // the capture was not recorded to its end
        Assert.Contains("stopped", p.Error);
        Invariants.Check(root, null, root + ".json");
    }

    [Fact]
    public void ImportCsv()
    {
        string root = big.Scratch("csv");
        using var p = StopMidWork("import csv", l => l.StartsWith("import:", StringComparison.Ordinal) && l.Contains('%'), 0,
            "import", "csv", big.Csv, "--schema", "trades", "--exchange", "binance", "--data", root);
        Assert.Equal(1, p.ExitCode);
        Assert.Contains("incomplete", p.Error);
        Assert.True(Invariants.Check(root).Rows["trades"] > 0);
    }

    [Fact]
    public void ImportBybitBook()
    {
        string root = big.Scratch("bybit");
        using var p = StopMidWork("import bybit-book", l => l.StartsWith("import:", StringComparison.Ordinal) && l.Contains('%'), 0,
            "import", "bybit-book", big.Archive, "--market", "linear", "--data", root);
        Assert.Equal(1, p.ExitCode);
        Assert.Contains("incomplete", p.Error);
        Assert.True(Invariants.Check(root).Rows["deltas"] > 0);
    }

    [Fact]
    public void Export()
    {
        string file = big.Scratch("export.csv");
        using var p = StopMidWork("export", l => l.StartsWith("export:", StringComparison.Ordinal), 0, "export", "csv", "--data", big.Root, "--schema", "deltas", "--out", file);
        Assert.Equal(1, p.ExitCode);
        Assert.Contains("incomplete", p.Error);
    }

    [Fact]
    public void Replay()
    {
        using var p = StopMidWork("replay", null, 1.5, "replay", "--schema", "trades", "--data", big.Root, "--speed", "1");
        Assert.Contains("stopped", p.Error);
    }

    [Fact]
    public void Validate()
    {
        using var p = StopMidWork("validate", null, 1.2, "validate", "--data", big.Root);
        Assert.Equal(1, p.ExitCode);
        Assert.Contains("incomplete", p.Error);
    }

    [Fact]
    public void Inspect()
    {
        // Inspect verifies every block of 16 M rows in well under a second: the signal comes while it is in its first segment.
        using var p = StopMidWork("inspect", null, 0.45, "inspect", "--data", big.Root);
        Assert.Equal(1, p.ExitCode);
    }

    [Fact]
    public void Slippage()
    {
        using var p = StopMidWork("slippage", null, 1.5, "slippage", "--data", big.Root, "--symbol", "BTCUSDT", "--sizes", "0.1,1", "--every", "1s");
        Assert.NotEqual(0, p.ExitCode);
    }

    [Fact]
    public void Backtest()
    {
        using var p = StopMidWork("backtest", l => l.StartsWith("backtest: [", StringComparison.Ordinal), 0, "backtest", "--data", big.Root, "--symbol", "BTCUSDT", "--strategy", "mm");
        Assert.Equal(1, p.ExitCode);
        Assert.Contains("stopped", p.Error);
    }

    [Fact]
    public void Tune()
    {
        using var p = StopMidWork("tune", null, 2, "tune", "--data", big.Root, "--symbol", "BTCUSDT", "--strategy", "mm", "--grid", "3", "--param", "spread_bps=1..5", "--param", "size=0.001..0.003");
        Assert.Equal(1, p.ExitCode);
    }

    [Fact]
    public void Serve()
    {
        int port = FreePort();
        using var p = StopMidWork("serve", null, 1.5, "serve", "--data", big.Root, "--port", port.ToString(CultureInfo.InvariantCulture));
        Assert.Equal(0, p.ExitCode);
    }

    [Fact]
    public void Sim()
    {
        int port = FreePort();
        using var p = StopMidWork("sim", null, 1.5, "sim", "--symbol", "BTCUSDT", "--port", port.ToString(CultureInfo.InvariantCulture));
        Assert.Equal(0, p.ExitCode);
    }

    [Fact]
    public void Analyze()
    {
        using var p = StopMidWork("analyze", null, 1.5, "analyze", "--data", big.Root, "--symbol", "BTCUSDT", "--out", big.Scratch("analyze"));
        Assert.Equal(1, p.ExitCode);
        Assert.Contains("stopped", p.Error);
    }

    [Fact]
    public void DbLoad()
    {
        using var p = StopMidWork("db load", null, 1.5, "db", "load", "--data", big.Root, "--sink", $"sqlite:{big.Scratch("load.db")}");
        Assert.Equal(1, p.ExitCode);
        Assert.Contains("run it again", p.Error);
    }

    [Fact]
    public void SimProjectX()
    {
        int port = FreePort();
        using var p = StopMidWork("sim --venue projectx", null, 1.5, "sim", "--venue", "projectx", "--symbol", "MNQ", "--port", port.ToString(CultureInfo.InvariantCulture));
        Assert.Equal(0, p.ExitCode);
    }

    [Fact]
    public async Task RecordProjectX()
    {
        await using var sim = await Simulator.Dialects.ProjectX.ProjectXSimulator.StartAsync(new Simulator.Dialects.ProjectX.ProjectXSimulatorOptions { Rate = 400 });
        string root = big.Scratch("projectx");
        var env = new Dictionary<string, string> { ["PROJECTX_USERNAME"] = "sim", ["PROJECTX_API_KEY"] = "sim-key" };
        using var p = StopMidWork("record --exchange projectx", env, l => l.Contains("trades=") && !l.Contains("trades=0 "), 0, "record", "--exchange", "projectx", "--symbol", "MNQ",
            "--ws-url", sim.BaseAddress.ToString(), "--rest-url", sim.BaseAddress.ToString(), "--duration", "120", "--data", root, "--summary-json", root + ".json",
            "--sink", $"sqlite:{root}.db");
        Assert.Equal(0, p.ExitCode);
        Invariants.Check(root, p.ExitCode, root + ".json");
        Assert.Contains("stopped (Ctrl+C or SIGTERM)", File.ReadAllText(Directory.GetFiles(Path.Combine(root, "_sessions")).Single()));
    }

    [Fact]
    public void BenchLatency()
    {
        using var p = StopMidWork("bench latency", null, 2.5, "bench", "latency", "--rate", "2000", "--duration", "60", "--warmup", "1", "--out", big.Scratch("bench"));
        Assert.NotEqual(-1, p.ExitCode);
    }

    /// <summary>Two recorders on one root: the second is refused at once, naming the first; the first records on, whole.</summary>
    [Fact]
    public void ASecondWriterIsRefusedAndTheFirstRecordsOnWhole()
    {
        string root = big.Scratch("two");
        using var first = ChildProcess.Start("record", "--exchange", "sim", "--duration", "120", "--data", root, "--summary-json", root + ".json");
        Assert.True(first.WaitForLine(l => l.Contains("committed"), TimeSpan.FromSeconds(60)), first.Error);
        using (var second = ChildProcess.Start("record", "--exchange", "sim", "--duration", "120", "--data", root))
        {
            Assert.True(second.WaitForExit(TimeSpan.FromSeconds(30)), "the second writer was not refused");
            Assert.Equal(1, second.ExitCode);
            Assert.Contains("being written by another process", second.Error);
            Assert.Contains($"pid {first.Pid}", second.Error);
        }
        // An import into the same root is refused the same way; a reader works alongside.
        File.WriteAllText(big.Scratch("one.csv"), "timestamp,symbol,price,quantity,side,trade_id\n1723161255342,BTCUSDT,61837.63,0.02,sell,1\n");
        var import = CliRunner.Run("import", "csv", big.Scratch("one.csv"), "--schema", "trades", "--exchange", "binance", "--data", root);
        Assert.Equal(1, import.ExitCode);
        Assert.Contains("being written by another process", import.Error);
        Assert.Equal(0, CliRunner.Run("inspect", "--data", root).ExitCode);
        Assert.False(first.Exited);
        Assert.NotNull(first.Terminate(TimeSpan.FromSeconds(10)));
        Assert.Equal(0, first.ExitCode);
        Invariants.Check(root, first.ExitCode, root + ".json");
        // The lock went with the first writer: a new one takes the root.
        Assert.Equal(0, CliRunner.Run("import", "csv", big.Scratch("one.csv"), "--schema", "trades", "--exchange", "binance", "--data", root, "--quiet").ExitCode);
    }
}
