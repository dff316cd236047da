using TickEngine.Cli.CommandLine;
using TickEngine.Simulator;
using TickEngine.Simulator.Market;

namespace TickEngine.Cli.Commands;

/// <summary><c>serve</c>: a recording as a Binance-compatible market on loopback.</summary>
public static class ServeCommand
{
    public const string Usage = """
        usage: tickengine serve --data ROOT [--symbols S1,S2] [--start T] [--end T] [--speed X] [--port P] [--host H]
          Serves the recorded trades and books as Binance WebSocket streams (/ws/<stream>, /stream?streams=) and REST
          depth snapshots (/api/v3/depth) on loopback, at --speed times the recorded pace (0 = as fast as clients read),
          so any Binance client, tickengine record included, consumes the recording as if it were live.
        """;

    public static int Run(IReadOnlyList<string> args, CliContext ctx)
    {
        var p = new ArgParser(args, ["--data", "--symbols", "--start", "--end", "--speed", "--port", "--host"], []);
        if (p.Help) { ctx.Out.Write(Usage); return 0; }
        string root = p.Required("--data");
        if (!Directory.Exists(root)) throw new UsageException($"--data {root}: no such directory");
        var symbols = p.Value("--symbols")?.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(s => s.ToUpperInvariant()).ToList();
        long start = p.Value("--start") is { } s ? TimeText.ParseToNanos(s, "--start") : long.MinValue;
        long end = p.Value("--end") is { } e ? TimeText.ParseToNanos(e, "--end") : long.MaxValue;
        double speed = p.Double("--speed", 1.0, 0, 1_000_000);
        string host = p.Value("--host") ?? "127.0.0.1";
        if (!System.Net.IPAddress.TryParse(host, out _)) throw new UsageException($"--host must be an IP address, got '{host}'");
        var market = new RecordingMarketSource(root, symbols, start, end);
        if (market.Symbols.Count == 0) throw new InputException($"{root}: no recorded symbols to serve");
        var options = new SimulatorOptions { Host = host, Port = p.Int("--port", 0, 0, 65_535), Speed = speed };
        var server = SimulatorServer.StartAsync(new SimulatedExchange(market, options), options).GetAwaiter().GetResult();
        ctx.Error.WriteLine($"serve: {string.Join(",", market.Symbols)} from {root} on {server.BaseAddress} (WebSocket {server.WebSocketBase}) at speed {speed}");
        try { Task.WhenAny(server.Market, Task.Delay(Timeout.Infinite, ctx.Cancel)).Wait(); }
        catch (AggregateException) { }
        // Let clients take what is queued before closing.
        while (server.Exchange.FramesQueued > 0 && !ctx.Cancel.IsCancellationRequested) Thread.Sleep(50);
        ctx.Error.WriteLine($"serve: {server.Exchange.FramesSent:N0} frames served");
        server.DisposeAsync().AsTask().GetAwaiter().GetResult();
        return 0;
    }
}
