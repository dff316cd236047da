using System.Text.Json;
using TickEngine.Simulator.Dialects.ProjectX;
using TickEngine.Storage.Format;
using TickEngine.Tests.Shared;
using Xunit;
using Xunit.Abstractions;

namespace TickEngine.Cli.Tests;

/// <summary>
/// ProjectX Gateway: its SignalR messages read exactly from a capture of them ('&lt;receive ns&gt; &lt;message&gt;' lines),
/// its hostile cases, the credentials' rules, CME hours, and the whole live path through the simulator (SignalR hub,
/// token expiry, faults) into the segments, PostgreSQL and SQLite, across a database outage and a SIGKILL.
/// </summary>
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
public class ProjectXTests(ITestOutputHelper output)
{
    private const string Contract = "CON.F.US.MNQ.Z26";
    private const long T0 = 1_765_180_000_000_000_000; // 2025-12-08T07:46:40Z

    private static string Iso(long ns, string offset = "+00:00") => ProjectXSimulator.Iso(ns).Replace("+00:00", offset);

    /// <summary>A book (reset, 2 bids, 2 asks), a buy print, a depth change, a quote with an escaped '+' and one in Chicago time.</summary>
    private static List<string> Lines() =>
    [
        $$"""{{T0}} {"type":1,"target":"GatewayDepth","arguments":["{{Contract}}",[{"timestamp":"{{Iso(T0)}}","type":6,"price":0,"volume":0},{"timestamp":"{{Iso(T0)}}","type":2,"price":21000.00,"volume":5},{"timestamp":"{{Iso(T0)}}","type":2,"price":20999.75,"volume":7},{"timestamp":"{{Iso(T0)}}","type":1,"price":21000.25,"volume":3},{"timestamp":"{{Iso(T0)}}","type":1,"price":21000.50,"volume":9}]]}""",
        $$"""{{T0 + 100_000_000}} {"type":1,"target":"GatewayTrade","arguments":["{{Contract}}",[{"symbolId":"F.US.MNQ","price":21000.25,"timestamp":"{{Iso(T0 + 90_000_000).Replace("+", "\\u002B")}}","type":0,"volume":2}]]}""",
        $$"""{{T0 + 110_000_000}} {"type":1,"target":"GatewayDepth","arguments":["{{Contract}}",[{"timestamp":"{{Iso(T0 + 95_000_000)}}","type":3,"price":21000.25,"volume":1}]]}""",
        $$"""{{T0 + 120_000_000}} {"type":1,"target":"GatewayQuote","arguments":["{{Contract}}",{"symbol":"F.US.MNQ","bestBid":21000.00,"bestAsk":21000.25,"lastPrice":21000.25,"volume":2,"lastUpdated":"{{Iso(T0 + 95_000_000 - 6 * 3_600_000_000_000L, "-06:00")}}","timestamp":"{{Iso(T0 + 100_000_000)}}"}]}""",
        $$"""{{T0 + 130_000_000}} {"type":1,"target":"GatewayTrade","arguments":["{{Contract}}",[{"symbolId":"F.US.MNQ","price":21000.00,"timestamp":"{{Iso(T0 + 125_000_000)}}","type":1,"volume":4}]]}""",
    ];

    private static CliRunner.Result Record(TempDir dir, IEnumerable<string> lines, string root = "root")
    {
        File.WriteAllLines(dir.File(root + ".txt"), lines);
        return CliRunner.Run("record", "--exchange", "projectx", "--capture", dir.File(root + ".txt"), "--data", dir.File(root), "--schema", "trades,deltas,quotes,l2,bars",
            "--summary-json", dir.File(root + ".json"), "--quiet", "--max-clock-skew", "off");
    }

    private static List<string[]> Export(TempDir dir, string schema, string root = "root")
    {
        var r = CliRunner.Run("export", "csv", "--data", dir.File(root), "--schema", schema, "--full");
        Assert.True(r.ExitCode == 0, r.Error);
        string text = r.Out.Length > 0 ? r.Out : System.Text.Encoding.UTF8.GetString(r.StdoutBytes);
        return text.Split('\n', StringSplitOptions.RemoveEmptyEntries).Skip(1).Select(l => l.TrimEnd('\r').Split(',')).ToList();
    }

    [Fact]
    public void GatewayMessagesAreStoredExactly()
    {
        using var dir = new TempDir();
        var r = Record(dir, Lines());
        Assert.True(r.ExitCode == 0, r.Error);
        var trades = Export(dir, "trades");
        Assert.Equal(2, trades.Count);
        // price, quantity, side, exchange time (the escaped '+' read), receive time, the id given as received.
        Assert.Equal(["21000.25", "2", "buy", (T0 + 90_000_000).ToString(), (T0 + 100_000_000).ToString(), "1"], [trades[0][2], trades[0][3], trades[0][4], trades[0][6], trades[0][7], trades[0][8]]);
        Assert.Equal(["21000", "4", "sell", "2"], [trades[1][2], trades[1][3], trades[1][4], trades[1][8]]);
        var deltas = Export(dir, "deltas");
        Assert.Equal(5, deltas.Count);
        Assert.Equal(["bid", "21000", "5"], deltas[0][2..5]);
        Assert.Equal(["ask", "21000.25", "1"], deltas[4][2..5]);
        var quotes = Export(dir, "quotes");
        Assert.Single(quotes);
        // The quote's lastUpdated in Chicago time (-06:00) is the same instant as the depth change it reflects.
        Assert.Equal(["21000", "0", "21000.25", "0", (T0 + 95_000_000).ToString()], [quotes[0][2], quotes[0][3], quotes[0][4], quotes[0][5], quotes[0][7]]);
        var s = JsonDocument.Parse(File.ReadAllText(dir.File("root.json"))).RootElement;
        Assert.Equal(0, s.GetProperty("malformed").GetInt64());
        Assert.Equal(1, s.GetProperty("book_ticker_matched").GetInt64());
        Assert.Equal(2, s.GetProperty("trade_side_matches_book").GetInt64());
    }

    public static TheoryData<string, string, string?> Hostile => new()
    {
        // name, (line 2's text replaced: from => to), the malformed reason expected (null: none, counted otherwise)
        { "month 13", "2025-12-08T07:46:40.09", "time out of range" },
        { "trade volume negative", "\"volume\":2}", "quantity" },
        { "trade type missing", "\"type\":0,", "trade without timestamp, type, price or volume" },
        { "not a contract name", Contract + "\",[{\"symbolId", "symbol" },
        { "arguments not an array", "\"arguments\":[", "arguments is not an array" },
        { "duplicate key", "\"price\":21000.25,", "twice" },
        { "completion message", "\"type\":1,\"target\"", null },
        { "unknown target", "GatewayTrade", null },
    };

    [Theory]
    [MemberData(nameof(Hostile))]
    public void AHostileMessageIsRefusedByNameAndLosesNothingElse(string name, string from, string? reason)
    {
        using var dir = new TempDir();
        var lines = Lines();
        string to = name switch
        {
            "month 13" => "2025-13-08T07:46:40.09",
            "trade volume negative" => "\"volume\":-2}",
            "trade type missing" => "",
            "not a contract name" => "CON F/../x\",[{\"symbolId",
            "arguments not an array" => "\"arguments\":{\"a\":[",
            "duplicate key" => "\"price\":21000.25,\"price\":21000.25,",
            "completion message" => "\"type\":3,\"target\"",
            _ => "GatewayOrder",
        };
        Assert.Contains(from, lines[1]);
        lines[1] = lines[1].Replace(from, to);
        if (name == "arguments not an array") lines[1] = lines[1][..^2] + "}}";
        var r = Record(dir, lines);
        Assert.True(r.ExitCode == 0, r.Error);
        var s = JsonDocument.Parse(File.ReadAllText(dir.File("root.json"))).RootElement;
        long malformed = s.GetProperty("malformed").GetInt64();
        if (reason is null) Assert.Equal(0, malformed);
        else
        {
            Assert.Equal(1, malformed);
            Assert.Contains(s.GetProperty("malformed_by_reason").EnumerateArray(), p => p.GetString()!.Contains(reason, StringComparison.OrdinalIgnoreCase));
        }
        // Everything else stands: the other print, the book and the quote.
        Assert.Single(Export(dir, "trades"));
        Assert.Equal(5, Export(dir, "deltas").Count);
        Assert.Single(Export(dir, "quotes"));
    }

    [Fact]
    public void AQuoteTheBookDisagreesWithTwiceInvalidatesIt()
    {
        using var dir = new TempDir();
        var lines = Lines();
        // The depth change to the best ask is lost: the book keeps 3 at 21000.25 while the Gateway's quotes say
        // the best ask is 21000.50 (the level emptied). One disagreement may be a quote overtaking its depth; two are not.
        lines[2] = lines[2].Replace("\"type\":3,\"price\":21000.25,\"volume\":1", "\"type\":1,\"price\":21000.25,\"volume\":3");
        lines[3] = lines[3].Replace("\"bestAsk\":21000.25", "\"bestAsk\":21000.50");
        lines.Add(lines[3].Replace(T0 + 120_000_000 + " ", T0 + 140_000_000 + " "));
        var r = Record(dir, lines);
        Assert.True(r.ExitCode == 0, r.Error);
        var status = Export(dir, "status");
        Assert.Contains(status, x => x[2] == "book_invalid");
        var s = JsonDocument.Parse(File.ReadAllText(dir.File("root.json"))).RootElement;
        Assert.Equal(2, s.GetProperty("book_ticker_mismatched").GetInt64());
    }

    [Fact]
    public void CredentialsComeFromAnOwnerOnlyFileOrTheEnvironmentAndAreNeverPrinted()
    {
        using var dir = new TempDir();
        string file = dir.File("px.conf");
        File.WriteAllText(file, "username=alice\napi_key=TOP-SECRET-KEY\n");
        File.SetUnixFileMode(file, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead);
        var r = CliRunner.Run("record", "--exchange", "projectx", "--symbol", "MNQ", "--data", dir.File("root"), "--api-key-file", file, "--duration", "1");
        Assert.Equal(2, r.ExitCode);
        Assert.Contains("chmod 600", r.Error);
        Assert.DoesNotContain("TOP-SECRET-KEY", r.Error + r.Out);
        File.WriteAllText(dir.File("bad.conf"), "username=alice\n");
        File.SetUnixFileMode(dir.File("bad.conf"), UnixFileMode.UserRead | UnixFileMode.UserWrite);
        r = CliRunner.Run("record", "--exchange", "projectx", "--symbol", "MNQ", "--data", dir.File("root"), "--api-key-file", dir.File("bad.conf"), "--duration", "1");
        Assert.Equal(2, r.ExitCode);
        Assert.Contains("api_key", r.Error);
    }

    [Fact]
    public async Task AWrongKeyIsRefusedOnceWithAClearErrorAndTheKeyIsNotPrinted()
    {
        var sim = await ProjectXSimulator.StartAsync(new ProjectXSimulatorOptions { Rate = 50 });
        try
        {
            using var dir = new TempDir();
            string file = dir.File("px.conf");
            File.WriteAllText(file, "username=sim\napi_key=NOT-THE-KEY-123\n");
            File.SetUnixFileMode(file, UnixFileMode.UserRead | UnixFileMode.UserWrite);
            var sw = System.Diagnostics.Stopwatch.StartNew();
            var r = CliRunner.Run("record", "--exchange", "projectx", "--symbol", "MNQ", "--data", dir.File("root"), "--api-key-file", file, "--duration", "20",
                "--ws-url", sim.BaseAddress.ToString(), "--rest-url", sim.BaseAddress.ToString(), "--quiet");
            Assert.Equal(1, r.ExitCode);
            Assert.Contains("refused the login of user 'sim'", r.Error);
            Assert.DoesNotContain("NOT-THE-KEY-123", r.Error + r.Out);
            Assert.True(sw.Elapsed < TimeSpan.FromSeconds(10), $"a refused login ends the run ({sw.Elapsed})");
        }
        finally { await sim.DisposeAsync(); }
    }

    [Theory]
    [InlineData("2026-12-10T21:59:59Z", true)]   // Thursday 15:59:59 CST
    [InlineData("2026-12-10T22:00:00Z", false)]  // the maintenance break
    [InlineData("2026-12-10T23:00:00Z", true)]   // 17:00 CST: open again
    [InlineData("2026-12-11T22:00:00Z", false)]  // Friday 16:00: the weekend
    [InlineData("2026-12-13T22:59:00Z", false)]  // Sunday 16:59
    [InlineData("2026-12-13T23:00:00Z", true)]   // Sunday 17:00: the week opens
    [InlineData("2026-07-09T20:59:59Z", true)]   // summer (CDT): 15:59:59
    [InlineData("2026-07-09T21:00:00Z", false)]
    public void CmeGlobexHours(string utc, bool open) =>
        Assert.Equal(open, CmeHours.IsOpen(DateTimeOffset.Parse(utc, System.Globalization.CultureInfo.InvariantCulture).ToUnixTimeMilliseconds() * 1_000_000));

    /// <summary>
    /// The must-show: the ProjectX simulator (market hub over SignalR, tokens of 3 s) recorded with both
    /// database sinks across CME's maintenance break; a dropped depth change, a hub restart and a token expired by
    /// the Gateway, each stored as markers; PostgreSQL stopped for 10 s; the recorder killed with SIGKILL and started
    /// again; then every row of every segment is in PostgreSQL and in SQLite exactly once, and a run of token
    /// renewals closes no connection.
    /// </summary>
    [Fact]
    [Trait("Category", "Loopback")]
    public async Task ProjectXIntoPostgresAndSqliteThroughOutagesAndAKill()
    {
        using var pg = new PostgresServer();
        using var dir = new TempDir();
        string root = dir.File("root"), db = dir.File("ticks.db");
        var start = DateTimeOffset.Parse("2026-12-10T21:59:52Z", System.Globalization.CultureInfo.InvariantCulture); // 8 s before the break
        var sim = await ProjectXSimulator.StartAsync(new ProjectXSimulatorOptions { Roots = ["MNQ", "MES"], Rate = 300, MarketStart = start, TokenLifetime = TimeSpan.FromSeconds(3) });
        var env = new Dictionary<string, string> { ["PROJECTX_USERNAME"] = "sim", ["PROJECTX_API_KEY"] = "sim-key" };
        string[] Args(string duration) =>
        [
            "record", "--exchange", "projectx", "--symbol", "MNQ,MES", "--ws-url", sim.BaseAddress.ToString(), "--rest-url", sim.BaseAddress.ToString(),
            "--data", root, "--schema", "trades,deltas,quotes,l2,bars", "--max-clock-skew", "off", "--sink", $"postgres:{pg.ConnectionString},age=300ms",
            "--sink", $"sqlite:{db},age=300ms", "--duration", duration, "--summary-json", dir.File($"summary-{duration}.json"),
        ];
        void Fault(ProjectXFault f, int value = 0) { sim.Inject(f, value); output.WriteLine($"{DateTime.UtcNow:HH:mm:ss.fff} fault {f}"); }
        try
        {
            using (var first = ChildProcess.Start(env, Args("120")))
            {
                var wait = System.Diagnostics.Stopwatch.StartNew();
                while (sim.Connected == 0 && wait.Elapsed < TimeSpan.FromSeconds(30)) await Task.Delay(50);
                Assert.True(sim.Connected > 0, "the recorder connected to the hub");
                await Task.Delay(1_500);
                Fault(ProjectXFault.DropDepth, 10); // ten changes of the touch lost: a random walk can heal one by itself, not ten
                await Task.Delay(2_000);
                pg.Stop();
                output.WriteLine("PostgreSQL stopped");
                await Task.Delay(2_000);
                Fault(ProjectXFault.HubRestart);
                await Task.Delay(3_000);
                Fault(ProjectXFault.ExpireToken);
                Fault(ProjectXFault.Burst, 2_000);
                await Task.Delay(5_000);
                pg.Start();
                output.WriteLine("PostgreSQL started again (10 s down)");
                await Task.Delay(3_000);
                Assert.False(first.Exited, first.Error);
                first.KillHard();
                output.WriteLine("recorder killed (SIGKILL)");
            }
            long expiredBefore = sim.ConnectionsClosedForExpiry, renewalsBefore = sim.Validations;
            using (var second = ChildProcess.Start(env, Args("8")))
            {
                Assert.True(second.WaitForExit(TimeSpan.FromSeconds(90)), "the second run did not end");
                Assert.True(second.ExitCode == 0, second.Error);
                output.WriteLine(second.Error.Split('\n').LastOrDefault(l => l.Contains("projectx:")) ?? "");
            }
            // Tokens of 3 s over an 8 s run: renewed before they lapsed, and no connection was closed for it.
            Assert.True(sim.Validations - renewalsBefore >= 2, $"{sim.Validations - renewalsBefore} renewals in the second run");
            Assert.Equal(expiredBefore, sim.ConnectionsClosedForExpiry);
            Assert.True(expiredBefore >= 1, "the expired token closed the first run's connection");
            output.WriteLine($"sim: {sim.EventsSent:N0} events, {sim.TradesSent:N0} prints sent, {sim.DepthDropped} depth change dropped, {sim.Opens} open(s) after a break, {sim.Logins} logins, {sim.Validations} renewals");
        }
        finally { await sim.DisposeAsync(); }

        long pgRows = PostgresSinkTests.AssertMirrors(root, pg.ConnectionString);
        long liteRows = SqliteSinkTests.AssertMirrors(root, db);
        Assert.Equal(pgRows, liteRows);
        output.WriteLine($"{pgRows:N0} rows: in PostgreSQL and SQLite exactly once each");

        // Each fault is a marker; the break shows as a jump in exchange time with nothing made up inside it.
        var statuses = StoredSegment.All(root).Where(s => s.Schema.Kind == SchemaKind.Status).SelectMany(s => s.Rows).ToList();
        long Count(StatusKind k) => statuses.Count(r => r[StatusColumns.Kind] == (long)k);
        output.WriteLine(string.Join(", ", Enum.GetValues<StatusKind>().Select(k => $"{k} {Count(k)}")));
        Assert.True(Count(StatusKind.BookInvalid) >= 1, "the dropped depth change was found");
        Assert.True(Count(StatusKind.Disconnect) >= 2, "the hub restart and the expired token are disconnects");
        Assert.True(Count(StatusKind.Connect) >= 4, "each run connected, and reconnected after each fault");
        var tradeTimes = StoredSegment.All(root).Where(s => s.Schema.Kind == SchemaKind.Trades).SelectMany(s => s.Rows).Select(r => r[SegmentSchema.ExchangeTime]).ToList();
        long breakStart = DateTimeOffset.Parse("2026-12-10T22:00:00Z", System.Globalization.CultureInfo.InvariantCulture).ToUnixTimeMilliseconds() * 1_000_000;
        long breakEnd = breakStart + 3_600_000_000_000;
        Assert.Contains(tradeTimes, t => t < breakStart);
        Assert.Contains(tradeTimes, t => t >= breakEnd);
        Assert.DoesNotContain(tradeTimes, t => t >= breakStart && t < breakEnd);
        var barTimes = StoredSegment.All(root).Where(s => s.Schema.Kind == SchemaKind.Bars).SelectMany(s => s.Rows).Select(r => r[SegmentSchema.ExchangeTime]).ToList();
        Assert.DoesNotContain(barTimes, t => t >= breakStart && t < breakEnd);
    }
}
