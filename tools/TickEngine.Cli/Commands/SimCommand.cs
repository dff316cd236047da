using TickEngine.Cli.CommandLine;
using TickEngine.Simulator;
using TickEngine.Simulator.Market;

namespace TickEngine.Cli.Commands;

/// <summary><c>sim</c>: the built-in exchange simulator as a standalone server.</summary>
public static class SimCommand
{
    public const string Usage = """
        usage: tickengine sim [--capture FILE | --synthetic SYMBOLS] [--rate N] [--speed X] [--port P] [--host H]
                              [--duration SECONDS]
          --capture     play a Binance capture ('<receive ns> <frame>' lines, gzip or not), looped
          --synthetic   a random-walk market for these symbols (e.g. BTCUSDT,ETHUSDT) at --rate messages/s
          --speed       1 = as recorded, 0 = as fast as clients take frames (default 1)
          --host        address to bind (default 127.0.0.1: loopback only)
          Serves Binance's /ws/<stream>, /stream?streams=, SUBSCRIBE, /api/v3/depth, /api/v3/exchangeInfo (and the
          futures routes), and POST /_sim/faults/{drop|skipupdateid|duplicate|reorder|malformed|stall|servershutdown|
          rest429|rest500}?value=N to inject faults.
        """;

    public static int Run(IReadOnlyList<string> args, CliContext ctx)
    {
        var p = new ArgParser(args, ["--capture", "--synthetic", "--rate", "--speed", "--port", "--host", "--duration"], []);
        if (p.Help) { ctx.Out.Write(Usage); return 0; }
        if (p.Positionals.Count > 0) throw new UsageException($"unexpected argument '{p.Positionals[0]}'");
        string? capture = p.Value("--capture"), synthetic = p.Value("--synthetic");
        if ((capture is null) == (synthetic is null)) throw new UsageException("give one of --capture FILE or --synthetic SYMBOLS");
        if (capture is not null && !File.Exists(capture)) throw new UsageException($"--capture {capture}: no such file");
        int rate = p.Int("--rate", 10_000, 1, 10_000_000);
        double speed = p.Double("--speed", 1.0, 0, 1_000_000);
        int port = p.Int("--port", 0, 0, 65_535);
        string host = p.Value("--host") ?? "127.0.0.1";
        if (!System.Net.IPAddress.TryParse(host, out _)) throw new UsageException($"--host must be an IP address, got '{host}'");
        double duration = p.Double("--duration", 0, 0, 366 * 86_400.0);
        IMarketSource market = capture is not null
            ? new CaptureMarketSource(capture, loop: true)
            : new SyntheticMarketSource(synthetic!.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries), rate);
        var options = new SimulatorOptions { Host = host, Port = port, Speed = capture is not null ? speed : 1.0, WaitForSubscriber = true };
        var server = SimulatorServer.StartAsync(new SimulatedExchange(market, options), options).GetAwaiter().GetResult();
        ctx.Error.WriteLine($"sim: listening on {server.BaseAddress} (WebSocket {server.WebSocketBase}), symbols {string.Join(",", market.Symbols)}");
        try
        {
            if (duration > 0) Task.Delay(TimeSpan.FromSeconds(duration), ctx.Cancel).Wait();
            else Task.Delay(Timeout.Infinite, ctx.Cancel).Wait();
        }
        catch (AggregateException) { /* Ctrl+C or SIGTERM */ }
        ctx.Error.WriteLine($"sim: {server.Exchange.FramesSent:N0} frames sent");
        server.DisposeAsync().AsTask().GetAwaiter().GetResult();
        return 0;
    }
}
