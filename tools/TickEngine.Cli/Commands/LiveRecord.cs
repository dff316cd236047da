using TickEngine.Simulator.Dialects.Binance;
using System.Diagnostics;
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
    public static int Run(RecordCommand.Args a, CliContext ctx)
    {
        var exchanges = a.Exchanges;
        static bool Live(Engine.Venues.Venue v) => v.LivePlans is not null || v.LiveFeed is not null;
        string liveNames = string.Join(", ", Engine.Venues.VenueRegistry.All.Where(Live).SelectMany(v => new[] { v.Name }.Concat(v.Aliases))) + " (several, comma-separated) or sim";
        foreach (var x in exchanges)
        {
            if (x == "sim") continue;
            var venue = Engine.Venues.VenueRegistry.Find(x);
            if (venue is not null && Live(venue)) continue;
            throw new UsageException(venue is not null
                ? $"{venue.Name} is recorded from capture files in this version (--capture FILE); live: {liveNames}"
                : $"--exchange takes {liveNames}, got '{x}'");
        }
        if (exchanges.Count > 1 && exchanges.Contains("sim")) throw new UsageException("--exchange sim records the simulator alone");
        if (exchanges.Count > 1 && (a.WsUrl is not null || a.RestUrl is not null)) throw new UsageException("--ws-url and --rest-url take one exchange");
        bool sim = exchanges[0] == "sim";
        if (!sim && (a.Captures.Count > 0 || a.Speed is not null || a.Rate is not null)) throw new UsageException("--speed and --rate are for the simulator (--exchange sim)");
        if (sim && a.Captures.Count > 1) throw new UsageException("--exchange sim plays one --capture file");
        var symbols = a.Symbols.Select(s => s.ToUpperInvariant()).ToList();
        foreach (var s in symbols)
            if (!Engine.Ingest.FrameRules.IsName(s)) throw new UsageException($"--symbol: '{s}' is not a symbol such as BTCUSDT or BTC-USDT (1 to 32 letters, digits, '-', '_' or '.')");

        SimulatorServer? sim_ = null;
        LiveOptions live;
        string recordedExchange = exchanges[0] == "binance-futures" ? "binance-futures" : "binance";
        if (sim)
        {
            string? source = a.Captures.Count == 1 ? a.Captures[0] : null;
            if (source is not null && !File.Exists(source)) throw new UsageException($"--capture {source}: no such file");
            if (source is null && a.Speed is not null) throw new UsageException("--speed paces a --capture; the synthetic market runs at --rate");
            if (source is not null && a.Rate is not null) throw new UsageException("--rate sets the synthetic market's pace; a --capture plays at --speed");
            // A capture, looped; without one, a synthetic market of the requested symbols.
            IMarketSource market = source is not null
                ? new CaptureMarketSource(source, loop: true)
                : new SyntheticMarketSource(symbols.Count > 0 ? symbols : ["BTCUSDT", "ETHUSDT"], a.Rate ?? 5_000);
            if (market.Symbols.Count == 0) throw new InputException($"--capture {source}: no Binance frames found to play (the simulator plays Binance captures in the '<receive ns> <frame>' layout)");
            var simOptions = new SimulatorOptions { Speed = source is null ? 1.0 : a.Speed ?? 1.0 };
            sim_ = SimulatorServer.StartAsync(new SimulatedExchange(market, simOptions), simOptions).GetAwaiter().GetResult();
            if (symbols.Count == 0) symbols = market.Symbols.ToList();
            live = LiveOptions.Default with { VenueBase = sim_.WebSocketBase, RestBase = sim_.BaseAddress };
            if (!a.Quiet) ctx.Error.WriteLine($"record: simulator on {sim_.BaseAddress} playing {(source is null ? "a synthetic market" : Path.GetFileName(source))} ({string.Join(",", market.Symbols)})");
        }
        else
        {
            live = LiveOptions.Default;
            if (exchanges[0] is not ("binance" or "binance-futures")) recordedExchange = exchanges[0];
            // Another host for the venue's WebSocket routes (and, for Binance, its REST snapshots).
            if (a.WsUrl is { } ws) live = live with { VenueBase = ParseUri(ws, "--ws-url") };
            if (a.RestUrl is { } rest) live = live with { RestBase = ParseUri(rest, "--rest-url") };
        }
        if (symbols.Count == 0) { sim_?.DisposeAsync().AsTask().GetAwaiter().GetResult(); throw new UsageException("--symbol is required (e.g. --symbol BTCUSDT,ETHUSDT)"); }
        // An API key from the environment or a file (never the command line, which other users can read).
        if (a.ApiKeyFile is { } keyFile && !File.Exists(keyFile)) throw new UsageException($"--api-key-file {keyFile}: no such file");
        Secret? apiKey;
        if (exchanges.Any(x => Engine.Venues.VenueRegistry.Find(x)?.Name == Engine.Venues.ProjectX.ProjectXAdapter.Name))
        {
            // ProjectX logs in with a user name and an API key: from the environment or an owner-only file.
            Engine.Venues.ProjectX.ProjectXCredentials? creds;
            try { creds = Engine.Venues.ProjectX.ProjectXCredentials.Load(a.ApiKeyFile); }
            catch (Exception e) when (e is IOException or InvalidDataException or UnauthorizedAccessException) { throw new UsageException($"--api-key-file: {e.Message}"); }
            if (creds is null)
                throw new UsageException($"projectx needs a user name and an API key: set {Engine.Venues.ProjectX.ProjectXCredentials.UserVariable} and " +
                                         $"{Engine.Venues.ProjectX.ProjectXCredentials.KeyVariable}, or give --api-key-file FILE (lines username=... and api_key=..., mode 600)");
            apiKey = creds.ApiKey;
            live = live with { ApiKey = apiKey, UserName = creds.UserName };
        }
        else
        {
            apiKey = Secret.FromEnvironmentOrFile("TICKENGINE_API_KEY", a.ApiKeyFile);
            live = live with { ApiKey = apiKey };
        }

        var options = new RecordOptions
        {
            Root = a.Root, Exchange = recordedExchange, Types = a.Schemas, Depth = a.Depth, IntervalNs = (long)Math.Round(a.Interval.TotalMilliseconds * 1_000_000),
            // The simulator playing a capture sends the capture's own exchange times, from the past: no skew bound then.
            Rules = RecordCommand.Rules(a.MaxClockSkew, sim && a.Captures.Count > 0 ? Engine.Ingest.FrameRules.NoSkewBound : Engine.Ingest.FrameRules.Default),
            Sinks = a.Sinks ?? [],
        };
        var feeds = new List<(string, LiveOptions, IReadOnlyList<string>)> { (recordedExchange, live, symbols) };
        foreach (var x in exchanges.Skip(1)) feeds.Add((x, LiveOptions.Default with { ApiKey = apiKey }, symbols)); // in the order given
        var recorder = new LiveRecorder(options, feeds);
        if (!a.Quiet && a.Duration is null) ctx.Error.WriteLine("record: recording until Ctrl+C or SIGTERM (give --duration to stop after a time)");
        recorder.Start();
        RecordCommand.Started(a);
        var clock = Stopwatch.StartNew();
        var status = new LiveStatus(recorder);
        try
        {
            bool terminal = !a.Quiet && !Console.IsErrorRedirected && ReferenceEquals(ctx.Error, Console.Error);
            if (terminal)
            {
                // A live table on the terminal (Spectre.Console); redirected output gets one plain line a second.
                var console = AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(Console.Error) });
                console.Live(status.Table()).Start(view =>
                {
                    while (Tick(ctx, clock, a.Duration, recorder))
                    {
                        view.UpdateTarget(status.Table());
                        view.Refresh();
                    }
                });
            }
            else
            {
                while (Tick(ctx, clock, a.Duration, recorder))
                    if (!a.Quiet) ctx.Error.WriteLine(status.Line());
            }
        }
        finally
        {
            recorder.StopAsync(ctx.Cancel).GetAwaiter().GetResult();
            sim_?.DisposeAsync().AsTask().GetAwaiter().GetResult();
        }
        var stats = recorder.Pipeline.Statistics();
        stats.Reconnects = recorder.Reconnects;
        stats.RestErrors = recorder.Feeds.Sum(f => f.RestErrors);
        stats.OversizeFrames = recorder.Feeds.Sum(f => f.OversizeFrames);
        stats.BinaryFrames = recorder.Feeds.Sum(f => f.BinaryFrames);
        stats.Connections = recorder.Feeds.SelectMany(f => f.Connections).Select(x => $"{x.Uri}: {x.State}, {x.Messages} messages").ToList();
        RecordCommand.Finish(a, stats);
        if (!a.Quiet) stats.Print(ctx.Error, "record: done");
        foreach (var fault in stats.HandlerFaults) ctx.Error.WriteLine($"tickengine record: error: {fault}");
        var failures = recorder.Feeds.OfType<Engine.Venues.ProjectX.ProjectXFeed>().Where(f => f.Failure is not null).Select(f => f.Failure!).ToList();
        foreach (var failure in failures) ctx.Error.WriteLine($"tickengine record: error: {failure}");
        foreach (var px in recorder.Feeds.OfType<Engine.Venues.ProjectX.ProjectXFeed>())
            if (!a.Quiet) ctx.Error.WriteLine($"record: projectx: {px.Auth.Logins} login(s), {px.Auth.Renewals} token renewal(s), {px.Auth.RenewalFailures} failed renewal(s); contracts {string.Join(", ", px.Contracts.Select(c => $"{c.Key}={c.Value}"))}" +
                                                 (px.LastError is { } le ? $"; last connection error: {le}" : ""));
        RecordCommand.WarnAboutSinks(stats, ctx.Error);
        return stats.HandlerFaults.Count > 0 || failures.Count > 0 ? 1 : 0;
    }

    private static Uri ParseUri(string text, string option) =>
        Uri.TryCreate(text, UriKind.Absolute, out var u) ? u : throw new UsageException($"{option} '{text}' is not an absolute URL");

    /// <summary>
    /// Waits a second; false when the run should stop: duration reached, Ctrl+C or SIGTERM, or a writer failed (a
    /// full disk, say), since going on would record some schemas and silently not others.
    /// </summary>
    private static bool Tick(CliContext ctx, Stopwatch clock, TimeSpan? duration, LiveRecorder recorder)
    {
        if (recorder.Pipeline.Faults.Any() || recorder.Pipeline.SinkStopped.IsCancellationRequested) return false;
        if (recorder.Feeds.OfType<Engine.Venues.ProjectX.ProjectXFeed>().Any(f => f.Failure is not null)) return false;
        if (ctx.Cancel.IsCancellationRequested || (duration is { } d && clock.Elapsed >= d)) return false;
        var wait = duration is { } dd ? TimeSpan.FromSeconds(Math.Min(1.0, Math.Max(0.05, (dd - clock.Elapsed).TotalSeconds))) : TimeSpan.FromSeconds(1);
        try { Task.Delay(wait, ctx.Cancel).Wait(); }
        catch (AggregateException) { return false; }
        return true;
    }
}
