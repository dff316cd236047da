using TickEngine.Simulator.Dialects.Binance;
using System.CommandLine;
using TickEngine.Cli.CommandLine;
using TickEngine.Engine.Replay;
using TickEngine.Simulator;
using TickEngine.Simulator.Market;

namespace TickEngine.Cli.Commands;

/// <summary><c>serve</c>: a recording as a Binance-compatible market on loopback.</summary>
public static class ServeCommand
{
    public const string Summary = "a recording served as a Binance-compatible market on loopback";

    public static Command Build(CliContext ctx)
    {
        var cmd = Verb.Create("serve", Summary, """
            The recorded trades and books as Binance WebSocket streams (/ws/<stream>, /stream?streams=) and REST depth
            snapshots (/api/v3/depth), paced by --speed (0 = as fast as clients read), so any Binance client,
            tickengine record included, consumes the recording as if it were live.

            Examples:
              tickengine serve --data data --speed 10 --port 9100
              tickengine record --exchange binance --symbol BTCUSDT --ws-url ws://127.0.0.1:9100 --rest-url http://127.0.0.1:9100 --data copy --max-clock-skew off
            """);
        var data = Vocabulary.Data("the data root to serve");
        var symbol = Vocabulary.Symbol("only these symbols", "--symbols");
        var start = Vocabulary.Time("--start", "first time to serve");
        var end = Vocabulary.Time("--end", "serve up to this time (exclusive)");
        var speed = Vocabulary.Number("--speed", $"times real time (default 1; 0 = as fast as clients read; else {Pacer.MinSpeed} to {Pacer.MaxSpeed})", 0, Pacer.MaxSpeed);
        var port = Vocabulary.Int("--port", "port (0 picks a free one)", 0, 0, 65_535);
        var host = Vocabulary.Text("--host", "address to bind (default 127.0.0.1: loopback only)", "IP");
        data.AddTo(cmd); symbol.AddTo(cmd);
        foreach (var o in new Option[] { start, end, speed, port, host }) cmd.Options.Add(o);
        cmd.SetAction(r =>
        {
            string root = data.Get(r, ctx.Error) ?? throw new UsageException("--data is required: the data root to serve");
            if (!Directory.Exists(root)) throw new UsageException($"--data {root}: no such directory");
            var symbols = symbol.Get(r, ctx.Error)?.Select(s => s.ToUpperInvariant()).ToList();
            long from = r.GetValue(start) ?? long.MinValue, to = r.GetValue(end) ?? long.MaxValue;
            if (to <= from) throw new UsageException("--end must be after --start");
            double pace = SimCommand.Speed(r.GetValue(speed));
            string h = r.GetValue(host) ?? "127.0.0.1";
            if (!System.Net.IPAddress.TryParse(h, out _)) throw new UsageException($"--host must be an IP address, got '{h}'");
            var market = new RecordingMarketSource(root, symbols, from, to);
            if (market.Symbols.Count == 0) throw new InputException($"{root}: no recorded symbols to serve");
            var options = new SimulatorOptions { Host = h, Port = r.GetValue(port), Speed = pace };
            var server = SimulatorServer.StartAsync(new SimulatedExchange(market, options), options).GetAwaiter().GetResult();
            ctx.Error.WriteLine($"serve: {string.Join(",", market.Symbols)} from {root} on {server.BaseAddress} (WebSocket {server.WebSocketBase}) at speed {pace}; the frames keep their recorded exchange times (record them with --max-clock-skew off)");
            try { Task.WhenAny(server.Market, Task.Delay(Timeout.Infinite, ctx.Cancel)).Wait(); }
            catch (AggregateException) { }
            // Let clients take what is queued before closing.
            while (server.Exchange.FramesQueued > 0 && !ctx.Cancel.IsCancellationRequested) Thread.Sleep(50);
            ctx.Error.WriteLine($"serve: {server.Exchange.FramesSent:N0} frames served");
            server.DisposeAsync().AsTask().GetAwaiter().GetResult();
            return 0;
        });
        return cmd;
    }
}
