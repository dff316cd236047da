using TickEngine.Simulator.Dialects.Binance;
using System.CommandLine;
using TickEngine.Cli.CommandLine;
using TickEngine.Engine.Replay;
using TickEngine.Simulator;
using TickEngine.Simulator.Market;

namespace TickEngine.Cli.Commands;

/// <summary><c>sim</c>: the built-in exchange simulator as a standalone server.</summary>
public static class SimCommand
{
    public const string Summary = "the built-in exchange simulator as a server on loopback (Binance, Bybit, OKX or Coinbase protocol), with fault injection";

    public static Command Build(CliContext ctx)
    {
        var cmd = Verb.Create("sim", Summary, """
            Plays a Binance capture ('<receive ns> <frame>' lines, gzip or not), looped with ids and times shifted, or
            a synthetic random-walk market of --symbol at --rate messages/s. Serves /ws/<stream>, /stream?streams=,
            SUBSCRIBE, /api/v3/depth, /api/v3/exchangeInfo (and the futures routes); POST /_sim/faults/{drop|
            skipupdateid|duplicate|reorder|malformed|stall|servershutdown|rest429|rest500}?value=N injects faults.

            --venue bybit|okx|coinbase plays a capture of that venue (cryptofeed JSON records), or the same synthetic
            market of --symbol at --rate, in the venue's own protocol (Bybit ws://host:port/v5/public/<market>, OKX
            /ws/v5/public, Coinbase /): subscriptions and their acknowledgements, pings, fresh snapshots on
            resubscription, OKX checksums, Coinbase sequence numbers. Record it with e.g.
            tickengine record --exchange okx --symbol BTC-USDT --ws-url ws://127.0.0.1:PORT --max-clock-skew off

            Examples:
              tickengine sim --capture ../shared/fixtures/binance/hftbacktest_spot_btcusdt_20240808.gz --speed 10 --port 9000
              tickengine sim --venue bybit --capture ../shared/fixtures/bybit/cryptofeed_BYBIT_v5_linear_spot.jsonl.gz --port 9001
              tickengine sim --symbol BTCUSDT,ETHUSDT --rate 20000 --duration 60s
              tickengine sim --venue okx --symbol BTC-USDT,ETH-USDT --rate 2000 --port 9002
            """);
        var capture = new Option<string?>("--capture") { Description = "a Binance capture to play, looped", HelpName = "FILE" };
        var symbol = Vocabulary.Symbol("a synthetic market of these symbols (without --capture)", "--synthetic");
        var rate = Vocabulary.Int("--rate", "synthetic market messages/s", 10_000, 1, 10_000_000);
        var speed = Vocabulary.Number("--speed", $"pace of --capture (default 1 = as recorded; 0 = as fast as clients take frames; else {Pacer.MinSpeed} to {Pacer.MaxSpeed})", 0, Pacer.MaxSpeed);
        var port = Vocabulary.Int("--port", "port (0 picks a free one)", 0, 0, 65_535);
        var host = Vocabulary.Text("--host", "address to bind (default 127.0.0.1: loopback only)", "IP");
        var duration = Vocabulary.Duration("--duration", "stop after this long (default: until Ctrl+C or SIGTERM)");
        var venue = new Option<string>("--venue")
        {
            Description = $"the protocol: binance (default), or {SimulatorVenues.Names} (each plays a capture of its venue or a synthetic market)",
            HelpName = "binance|" + string.Join("|", SimulatorVenues.All.Select(v => v.Name)),
            DefaultValueFactory = _ => "binance",
        };
        venue.AcceptOnlyFromAmong(["binance", "projectx", .. SimulatorVenues.All.Select(v => v.Name)]);
        var marketStart = Vocabulary.Text("--market-start", "projectx: market time at the start (ISO-8601 UTC, e.g. 2026-12-10T21:59:00Z; default now); it runs at --speed and skips CME's closed hours", "TIME");
        var tokenLifetime = Vocabulary.Duration("--token-lifetime", "projectx: how long a session token lasts (default 24h)");
        symbol.AddTo(cmd);
        foreach (var o in new Option[] { capture, rate, speed, port, host, duration, venue, marketStart, tokenLifetime }) cmd.Options.Add(o);
        cmd.SetAction(r =>
        {
            string? file = r.GetValue(capture);
            var symbols = symbol.Get(r, ctx.Error);
            if (r.GetValue(venue) == "projectx")
                return ProjectX(ctx, symbols, file, r.GetValue(rate), r.GetValue(speed) ?? 1, r.GetValue(host) ?? "127.0.0.1", r.GetValue(port), r.GetValue(duration), r.GetValue(marketStart), r.GetValue(tokenLifetime));
            if ((file is null) == (symbols is null)) throw new UsageException("give one of --capture FILE or --symbol S1,S2 (a synthetic market)");
            if (SimulatorVenues.Find(r.GetValue(venue)!) is { } stream)
                return Dialect(ctx, stream, file, symbols, r.GetValue(rate), Speed(r.GetValue(speed)), r.GetValue(host) ?? "127.0.0.1", r.GetValue(port), r.GetValue(duration));
            if (file is not null && !File.Exists(file)) throw new UsageException($"--capture {file}: no such file");
            if (symbols is not null)
                foreach (var s in symbols)
                    if (s.Length is 0 or > 32 || !s.All(char.IsAsciiLetterOrDigit)) throw new UsageException($"--symbol: '{s}' is not a symbol such as BTCUSDT (letters and digits)");
            string h = r.GetValue(host) ?? "127.0.0.1";
            if (!System.Net.IPAddress.TryParse(h, out _)) throw new UsageException($"--host must be an IP address, got '{h}'");
            IMarketSource market = file is not null
                ? new CaptureMarketSource(file, loop: true)
                : new SyntheticMarketSource(symbols!.Select(s => s.ToUpperInvariant()).ToArray(), r.GetValue(rate));
            if (market.Symbols.Count == 0) throw new InputException($"--capture {file}: no Binance frames found to play (the simulator plays Binance captures in the '<receive ns> <frame>' layout)");
            var options = new SimulatorOptions { Host = h, Port = r.GetValue(port), Speed = file is not null ? Speed(r.GetValue(speed)) : 1.0, WaitForSubscriber = true };
            var server = SimulatorServer.StartAsync(new SimulatedExchange(market, options), options).GetAwaiter().GetResult();
            ctx.Error.WriteLine($"sim: listening on {server.BaseAddress} (WebSocket {server.WebSocketBase}), symbols {string.Join(",", market.Symbols)}");
            try
            {
                if (r.GetValue(duration) is { } d) Task.Delay(d, ctx.Cancel).Wait();
                else Task.Delay(Timeout.Infinite, ctx.Cancel).Wait();
            }
            catch (AggregateException) { /* Ctrl+C or SIGTERM */ }
            ctx.Error.WriteLine($"sim: {server.Exchange.FramesSent:N0} frames sent");
            server.DisposeAsync().AsTask().GetAwaiter().GetResult();
            return 0;
        });
        return cmd;
    }

    /// <summary>A venue's capture, or a synthetic market, played in the venue's own protocol (the dialect core with the venue's protocol).</summary>
    private static int Dialect(CliContext ctx, SimulatorVenue venue, string? file, IReadOnlyList<string>? symbols, int rate, double speed, string host, int port, TimeSpan? duration)
    {
        if (file is not null && !File.Exists(file)) throw new UsageException($"--capture {file}: no such file");
        if (symbols is not null)
            foreach (var s in symbols)
                if (s.Length is 0 or > 32 || !s.All(ch => char.IsAsciiLetterOrDigit(ch) || ch is '-' or '_'))
                    throw new UsageException($"--symbol: '{s}' is not a symbol such as BTCUSDT or BTC-USDT (letters, digits, '-', '_')");
        if (!System.Net.IPAddress.TryParse(host, out _)) throw new UsageException($"--host must be an IP address, got '{host}'");
        Simulator.Dialects.DialectExchange dialect;
        if (file is null)
        {
            var market = new SyntheticMarket(symbols!.Select(venue.Symbol).ToArray(), rate);
            dialect = venue.StartSyntheticAsync(market, speed: speed == 0 ? 1000 : speed, host: host, port: port).GetAwaiter().GetResult();
            ctx.Error.WriteLine($"sim: {venue.Name} on {dialect.WebSocketBase.ToString().TrimEnd('/')}{venue.Route}, a synthetic market of {string.Join(",", market.Symbols)} at {rate:N0} events/s");
        }
        else
        {
            try { dialect = venue.StartAsync(file, speed == 0 ? 1000 : speed, host, port).GetAwaiter().GetResult(); }
            catch (Exception e) when (e is System.Text.Json.JsonException or KeyNotFoundException or InvalidOperationException or InvalidDataException)
            { throw new InputException($"--capture {file}: not a {venue.Name} capture of cryptofeed JSON records ({e.Message})"); }
            ctx.Error.WriteLine($"sim: {venue.Name} on {dialect.WebSocketBase.ToString().TrimEnd('/')}{venue.Route}, playing {Path.GetFileName(file)}");
        }
        try
        {
            if (duration is { } d) Task.Delay(d, ctx.Cancel).Wait();
            else Task.Delay(Timeout.Infinite, ctx.Cancel).Wait();
        }
        catch (AggregateException) { /* Ctrl+C or SIGTERM */ }
        dialect.DisposeAsync().AsTask().GetAwaiter().GetResult();
        return 0;
    }

    /// <summary>ProjectX's Gateway (REST and the SignalR market hub) over a synthetic CME futures market of the roots given.</summary>
    private static int ProjectX(CliContext ctx, IReadOnlyList<string>? roots, string? file, int rate, double speed, string host, int port, TimeSpan? duration, string? start, TimeSpan? lifetime)
    {
        if (file is not null) throw new UsageException("--venue projectx plays a synthetic market (--symbol MNQ,MES), not a capture");
        if (!System.Net.IPAddress.TryParse(host, out _)) throw new UsageException($"--host must be an IP address, got '{host}'");
        if (speed <= 0) throw new UsageException("--speed for projectx is how fast market time runs against the wall clock: a positive number");
        DateTimeOffset? at = null;
        if (start is not null)
        {
            if (!DateTimeOffset.TryParse(start, System.Globalization.CultureInfo.InvariantCulture, System.Globalization.DateTimeStyles.AssumeUniversal, out var t))
                throw new UsageException($"--market-start '{start}' is not a time such as 2026-12-10T21:59:00Z");
            at = t;
        }
        var list = roots ?? ["MNQ"];
        foreach (var root in list)
            if (root.Length is 0 or > 8 || !root.All(char.IsAsciiLetterOrDigit)) throw new UsageException($"--symbol: '{root}' is not a contract root such as MNQ or ES");
        var options = new Simulator.Dialects.ProjectX.ProjectXSimulatorOptions
        {
            Host = host, Port = port, Roots = list.Select(x => x.ToUpperInvariant()).ToList(), Rate = rate, Speed = speed, MarketStart = at,
            TokenLifetime = lifetime ?? TimeSpan.FromHours(24),
        };
        var sim = Simulator.Dialects.ProjectX.ProjectXSimulator.StartAsync(options).GetAwaiter().GetResult();
        ctx.Error.WriteLine($"sim: projectx on {sim.BaseAddress} (REST /api, hub /hubs/market; log in as user '{options.UserName}' with API key '{options.ApiKey}'), " +
                            $"contracts {string.Join(",", sim.Market.Contracts.Select(c => c.Id))} at {rate:N0} events/s");
        try
        {
            if (duration is { } d) Task.Delay(d, ctx.Cancel).Wait();
            else Task.Delay(Timeout.Infinite, ctx.Cancel).Wait();
        }
        catch (AggregateException) { /* Ctrl+C or SIGTERM */ }
        ctx.Error.WriteLine($"sim: {sim.EventsSent:N0} market events, {sim.TradesSent:N0} prints sent, {sim.Logins} login(s), {sim.Validations} token renewal(s), {sim.Refused} hub connection(s) refused, {sim.ConnectionsClosedForExpiry} closed at token expiry");
        sim.DisposeAsync().AsTask().GetAwaiter().GetResult();
        return 0;
    }

    /// <summary>A pace for the simulator: default 1; 0 or a speed the pacer accepts.</summary>
    public static double Speed(double? given)
    {
        double s = given ?? 1.0;
        if (s != 0 && s < Pacer.MinSpeed) throw new UsageException($"--speed must be 0 (as fast as clients read) or from {Pacer.MinSpeed} to {Pacer.MaxSpeed}, got {s}");
        return s;
    }
}
