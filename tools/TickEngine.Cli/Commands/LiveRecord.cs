using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using TickEngine.Cli.CommandLine;
using TickEngine.Engine.Live;
using TickEngine.Engine.Pipeline;
using TickEngine.Simulator;
using TickEngine.Simulator.Market;
using Spectre.Console;
using TickEngine.Storage.Format;

namespace TickEngine.Cli.Commands;

/// <summary><c>record --exchange binance|binance-futures|sim</c>: a live recording with a status line on stderr.</summary>
public static class LiveRecord
{
    public static int Run(ArgParser p, string exchange, CliContext ctx)
    {
        var exchanges = exchange.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Distinct().ToList();
        foreach (var x in exchanges)
            if (x is not ("binance" or "binance-futures" or "sim")) throw new UsageException($"--exchange takes binance, binance-futures (or both, comma-separated) or sim, got '{x}'");
        if (exchanges.Count > 1 && exchanges.Contains("sim")) throw new UsageException("--exchange sim records the simulator alone");
        if (exchanges.Count > 1 && (p.Value("--ws-url") is not null || p.Value("--rest-url") is not null)) throw new UsageException("--ws-url and --rest-url take one exchange");
        string root = p.Required("--out");
        if (File.Exists(root)) throw new UsageException($"--out {root} is a file; give a data root directory");
        var types = RecordCommand.ParseTypes(p.Value("--types") ?? "l2,trades,ohlcv,deltas");
        int depth = p.Int("--depth", SegmentSchema.DefaultDepth, 1, SegmentSchema.MaxDepth);
        double interval = p.Double("--interval", 1.0, 0.001, 86_400);
        double duration = p.Double("--duration", 0, 0, 366 * 86_400.0);
        bool quiet = p.Flag("--quiet");
        string? summaryPath = p.Value("--summary-json");
        var symbols = (p.Value("--symbols") ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(s => s.ToUpperInvariant()).ToList();
        foreach (var s in symbols)
            if (s.Length is 0 or > 32 || !s.All(char.IsAsciiLetterOrDigit)) throw new UsageException($"--symbols: '{s}' is not a symbol such as BTCUSDT");

        SimulatorServer? sim = null;
        LiveOptions live;
        string recordedExchange = exchange == "binance-futures" ? "binance-futures" : "binance";
        if (exchange == "sim")
        {
            string? source = p.Value("--sim-capture");
            if (source is not null && !File.Exists(source)) throw new UsageException($"--sim-capture {source}: no such file");
            double speed = p.Double("--sim-speed", 1.0, 0, 1_000_000);
            int rate = p.Int("--sim-rate", 5_000, 1, 10_000_000);
            // A capture, looped; without one, a synthetic market of the requested symbols.
            IMarketSource market = source is not null
                ? new CaptureMarketSource(source, loop: true)
                : new SyntheticMarketSource(symbols.Count > 0 ? symbols : ["BTCUSDT", "ETHUSDT"], rate);
            if (source is null) speed = 1.0;
            source ??= "a synthetic market";
            var simOptions = new SimulatorOptions { Speed = speed };
            sim = SimulatorServer.StartAsync(new SimulatedExchange(market, simOptions), simOptions).GetAwaiter().GetResult();
            if (symbols.Count == 0) symbols = market.Symbols.ToList();
            live = LiveOptions.BinanceSpot with { WebSocketBase = sim.WebSocketBase, RestBase = sim.BaseAddress };
            if (!quiet) ctx.Error.WriteLine($"record: simulator on {sim.BaseAddress} playing {Path.GetFileName(source)} ({string.Join(",", market.Symbols)})");
        }
        else
        {
            live = exchange == "binance" ? LiveOptions.BinanceSpot : LiveOptions.BinanceFutures;
            if (p.Value("--ws-url") is { } ws) live = live with { WebSocketBase = new Uri(ws), MarketWebSocketBase = live.MarketWebSocketBase is null ? null : new Uri(ws) };
            if (p.Value("--rest-url") is { } rest) live = live with { RestBase = new Uri(rest) };
        }
        if (symbols.Count == 0) throw new UsageException("--symbols is required (e.g. --symbols BTCUSDT,ETHUSDT)");
        // An API key from the environment or a file (never the command line, which other users can read).
        string? keyFile = p.Value("--api-key-file");
        if (keyFile is not null && !File.Exists(keyFile)) throw new UsageException($"--api-key-file {keyFile}: no such file");
        var apiKey = Secret.FromEnvironmentOrFile("TICKENGINE_API_KEY", keyFile);
        live = live with { ApiKey = apiKey };

        var options = new RecordOptions { Root = root, Exchange = recordedExchange, Types = types, Depth = depth, IntervalNs = (long)Math.Round(interval * 1e9) };
        var feeds = new List<(string, LiveOptions, IReadOnlyList<string>)> { (recordedExchange, live, symbols) };
        if (exchanges.Count > 1) feeds.Add(("binance-futures", LiveOptions.BinanceFutures with { ApiKey = apiKey }, symbols)); // spot first, then futures
        var recorder = new LiveRecorder(options, feeds);
        recorder.Start();
        var clock = Stopwatch.StartNew();
        var status = new LiveStatus(recorder);
        try
        {
            bool terminal = !quiet && !Console.IsErrorRedirected && ReferenceEquals(ctx.Error, Console.Error);
            if (terminal)
            {
                // A live table on the terminal (Spectre.Console); redirected output gets one plain line a second.
                var console = AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(Console.Error) });
                console.Live(status.Table()).Start(live =>
                {
                    while (Tick(ctx, clock, duration, recorder))
                    {
                        live.UpdateTarget(status.Table());
                        live.Refresh();
                    }
                });
            }
            else
            {
                while (Tick(ctx, clock, duration, recorder))
                    if (!quiet) ctx.Error.WriteLine(status.Line());
            }
        }
        finally
        {
            recorder.StopAsync().GetAwaiter().GetResult();
            sim?.DisposeAsync().AsTask().GetAwaiter().GetResult();
        }
        var summary = recorder.Pipeline.Summary();
        summary["reconnects"] = recorder.Reconnects;
        summary["rest_errors"] = recorder.Feeds.Sum(f => f.RestErrors);
        summary["oversize_frames"] = recorder.Feeds.Sum(f => f.OversizeFrames);
        summary["binary_frames"] = recorder.Feeds.Sum(f => f.BinaryFrames);
        summary["connections"] = recorder.Feeds.SelectMany(f => f.Connections).Select(x => $"{x.Uri}: {x.State}, {x.Messages} messages").ToArray();
        var faults = recorder.Pipeline.Faults.ToList();
        summary["handler_faults"] = faults.Select(f => $"{f.Handler}: {f.Fault.Message}").ToArray();
        if (summaryPath is not null)
        {
            string? dir = Path.GetDirectoryName(Path.GetFullPath(summaryPath));
            if (dir is not null) Directory.CreateDirectory(dir);
            File.WriteAllText(summaryPath, JsonSerializer.Serialize(summary, new JsonSerializerOptions { WriteIndented = true }));
        }
        if (!quiet)
        {
            ctx.Error.WriteLine("record: done");
            foreach (var (k, v) in summary)
                if (v is not Array) ctx.Error.WriteLine(string.Format(CultureInfo.InvariantCulture, "  {0,-24} {1}", k, v is long n ? n.ToString("N0", CultureInfo.InvariantCulture) : v));
            // Bad frames by kind, with the first samples (the full list is in the summary JSON).
            foreach (var kind in (string[])summary["malformed_by_reason"]) ctx.Error.WriteLine($"  malformed: {kind}");
            foreach (var sample in ((string[])summary["malformed_samples"]).Take(5)) ctx.Error.WriteLine($"  sample: {(sample.Length > 200 ? sample[..200] + "..." : sample)}");
        }
        foreach (var (handler, fault) in faults) ctx.Error.WriteLine($"tickengine record: error: {handler}: {fault.Message}");
        return faults.Count > 0 ? 1 : 0;
    }

    /// <summary>
    /// Waits a second; false when the run should stop: duration reached, Ctrl+C or SIGTERM, or a writer failed (a
    /// full disk, say), since going on would record some schemas and silently not others.
    /// </summary>
    private static bool Tick(CliContext ctx, Stopwatch clock, double duration, LiveRecorder recorder)
    {
        if (recorder.Pipeline.Faults.Any()) return false;
        if (ctx.Cancel.IsCancellationRequested || (duration > 0 && clock.Elapsed.TotalSeconds >= duration)) return false;
        try { Task.Delay(TimeSpan.FromSeconds(Math.Min(1.0, duration > 0 ? Math.Max(0.05, duration - clock.Elapsed.TotalSeconds) : 1.0)), ctx.Cancel).Wait(); }
        catch (AggregateException) { return false; }
        return true;
    }
}
