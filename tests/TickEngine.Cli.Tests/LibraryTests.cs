using System.Globalization;
using TickEngine.Engine.Live;
using TickEngine.Simulator;
using TickEngine.Simulator.Dialects.Binance;
using TickEngine.Storage.Format;
using TickEngine.Tests.Shared;
using Xunit;

namespace TickEngine.Cli.Tests;

/// <summary>
/// TickEngine as a library: the runnable example (built with the solution) on a recording, equal to its exported trades;
/// a live stream (the simulator) and the replay of what it recorded give the same ticks, so a strategy runs unchanged
/// on both; a buffer's reads allocate nothing per row.
/// </summary>
public class LibraryTests
{
    [Fact]
    public async Task TheExampleRunsOnARecording()
    {
        using var dir = new TempDir();
        string root = dir.File("root");
        var rec = CliRunner.Run("record", "--exchange", "binance", "--capture", RepoPaths.BinanceSpotCapture, "--data", root, "--quiet");
        Assert.True(rec.ExitCode == 0, rec.Error);
        string example = Path.Combine(RepoPaths.Root, "examples", "TickEngine.Example", "bin", "Release", "net10.0", "TickEngine.Example.dll");
        Assert.True(File.Exists(example), $"{example}: the example is built with the solution");
        var psi = new System.Diagnostics.ProcessStartInfo("dotnet", [example, root, "BTCUSDT"]) { RedirectStandardOutput = true, RedirectStandardError = true };
        using var p = System.Diagnostics.Process.Start(psi)!;
        var err = p.StandardError.ReadToEndAsync();
        string output = await p.StandardOutput.ReadToEndAsync();
        Assert.True(p.WaitForExit(60_000));
        Assert.True(p.ExitCode == 0, await err);
        var csv = CliRunner.Run("export", "csv", "--data", root, "--schema", "trades", "--symbol", "BTCUSDT");
        string text = csv.Out.Length > 0 ? csv.Out : System.Text.Encoding.UTF8.GetString(csv.StdoutBytes);
        var rows = text.Split('\n', StringSplitOptions.RemoveEmptyEntries).Skip(1).Select(l => l.Split(','))
            .Select(f => (Price: decimal.Parse(f[2], CultureInfo.InvariantCulture), Qty: decimal.Parse(f[3], CultureInfo.InvariantCulture))).ToList();
        decimal volume = rows.Sum(r => r.Qty), notional = rows.Sum(r => r.Price * r.Qty);
        var first = output.Split('\n')[0].Split(' ');
        Assert.Equal(rows.Count.ToString(CultureInfo.InvariantCulture), first[1]);
        Assert.Equal(volume, decimal.Parse(first[3], CultureInfo.InvariantCulture));
        Assert.Equal(notional / volume, decimal.Parse(first[5], CultureInfo.InvariantCulture));
        Assert.Equal(6, output.Split('\n', StringSplitOptions.RemoveEmptyEntries).Length); // and the last five trades from the buffer
    }

    [Fact]
    public async Task LiveAndTheReplayOfItsRecordingGiveTheSameTicks()
    {
        using var dir = new TempDir();
        string root = dir.File("root");
        var sim = new SimulatorOptions();
        await using var server = await SimulatorServer.StartAsync(new SimulatedExchange(new SyntheticMarketSource(["BTCUSDT"], 2_000), sim), sim);
        var options = new MarketDataOptions
        {
            Exchange = "binance", Symbols = ["BTCUSDT"], DataRoot = root,
            Live = LiveOptions.Default with { VenueBase = server.WebSocketBase, RestBase = server.BaseAddress },
        };
        var live = new List<Tick>();
        var stream = await MarketData.Connect(options);
        await using (stream)
        {
            using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(4));
            try { await foreach (var t in stream.Trades(stop.Token)) live.Add(t); }
            catch (OperationCanceledException) { }
            Assert.Contains(ConnectionState.Connected, stream.States);
            Assert.Equal(0, stream.Dropped);
        }
        Assert.True(live.Count > 100, $"{live.Count} live ticks");
        // The same code over the recording.
        var replayed = new List<Tick>();
        await using (var replay = MarketData.Replay(options))
        {
            await foreach (var t in replay.Trades()) replayed.Add(t);
            await replay.Completion;
        }
        // Every live tick is in the recording, in order, with the same values (the recording may hold trades committed after the reader left).
        Assert.True(replayed.Count >= live.Count);
        for (int i = 0; i < live.Count; i++)
        {
            Assert.Equal(live[i].TradeId, replayed[i].TradeId);
            Assert.Equal(live[i].Price, replayed[i].Price);
            Assert.Equal(live[i].Quantity, replayed[i].Quantity);
            Assert.Equal(live[i].Side, replayed[i].Side);
            Assert.Equal(live[i].ExchangeTimeNs, replayed[i].ExchangeTimeNs);
        }
    }

    [Fact]
    public async Task ABuffersReadsAllocateNothingPerRow()
    {
        using var dir = new TempDir();
        string root = dir.File("root");
        Assert.Equal(0, CliRunner.Run("record", "--exchange", "binance", "--capture", RepoPaths.BinanceSpotCapture, "--data", root, "--quiet").ExitCode);
        await using var replay = MarketData.Replay(new MarketDataOptions { DataRoot = root, Symbols = ["BTCUSDT"], Enumerate = false, BufferCapacity = 4_096 });
        await replay.Completion;
        var buffer = replay.Buffer("BTCUSDT")!;
        Assert.Equal(4_096, buffer.Count);
        var rows = new TradeRow[4_096];
        long allocated = Allocations.Measure(() =>
        {
            buffer.Latest(4_096, rows);
            buffer.Range(rows[100].ExchangeTimeNs, rows[2_000].ExchangeTimeNs, rows);
        });
        Assert.Equal(0, allocated);
        Assert.Equal(1, buffer.Latest(1, rows.AsSpan(0, 1)));
        Assert.Equal(TradeSide.Sell, rows[0].Side); // the capture's last trade was a sell (61685.99)
        Assert.Equal(61685.99m, buffer.Price(rows[0].Price));
    }
}
