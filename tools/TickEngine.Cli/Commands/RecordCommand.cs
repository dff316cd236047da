using System.CommandLine;
using TickEngine.Cli.CommandLine;
using TickEngine.Engine.Ingest;
using TickEngine.Storage.Format;

namespace TickEngine.Cli.Commands;

/// <summary><c>record</c>: exchange frames (a live feed, the built-in simulator, or capture files) into segments.</summary>
public static class RecordCommand
{
    public const string Summary = "record exchange frames (a live feed, the built-in simulator, or capture files) into segments";

    /// <summary>The options of the verb, parsed.</summary>
    public sealed record Args(
        IReadOnlyList<string> Exchanges,
        IReadOnlyList<string> Symbols,
        string Root,
        IReadOnlySet<SchemaKind> Schemas,
        int Depth,
        TimeSpan Interval,
        TimeSpan? Duration,
        string? SummaryJson,
        bool Quiet,
        string? WsUrl,
        string? RestUrl,
        string? ApiKeyFile,
        IReadOnlyList<string> Captures,
        double? Speed,
        int? Rate,
        TimeSpan? MaxClockSkew,
        bool Force = false,
        IReadOnlyList<Engine.Sinks.SinkRegistration>? Sinks = null)
    {
        /// <summary>This run's session (<see cref="Engine.Sessions.CaptureSession"/>) and, once it ends, its statistics.</summary>
        public RunSession? Session { get; init; }
    }

    /// <summary>A run's session as it goes: where it is kept and what the run counted.</summary>
    public sealed class RunSession(string root, Engine.Sessions.CaptureSession session)
    {
        public string Root => root;
        public Engine.Sessions.CaptureSession Current { get; set; } = session;
        public Engine.Pipeline.RecordStatistics? Statistics { get; set; }
    }

    public static Command Build(CliContext ctx)
    {
        var cmd = Verb.Create("record", Summary, """
            Live (Binance spot and USD-M, Bybit spot/linear/inverse, OKX, Coinbase; several venues at once, one
            ring): WebSocket streams with reconnection, book resyncs and a status line each second, until
            --duration or Ctrl+C/SIGTERM (a clean stop: every segment sealed). --exchange sim plays the built-in
            simulator on loopback (a synthetic market of --symbol, or --capture looped). With --capture and a
            real exchange name, the capture files run through the same pipeline at full speed (books continue
            across files, which go in time order; a folder means every capture file in it).

            Examples:
              tickengine record --exchange sim --duration 10 --data data
              tickengine record --exchange binance --symbol BTCUSDT,ETHUSDT --data data
              tickengine record --exchange okx --symbol BTC-USDT,BTC-USDT-SWAP --data data --schema trades,deltas,quotes,funding
              tickengine record --exchange binance --capture day1.gz day2.gz --data data --schema trades,deltas
              tickengine record --exchange coinbase --capture coinbase.jsonl.gz --data data
              tickengine record --exchange sim --duration 60 --data data --sink parquet:pq

            Sinks (--sink NAME:ARGS, repeatable) take every row once the segments commit it, each on its own thread
            with a bounded queue; the segments stay the truth and a sink that falls behind or fails is caught up
            from them. Common keys: policy=catch-up|block|drop|stop (default catch-up), pause=ROWS and resume=ROWS
            (the queue's thresholds), from=run|start (a new sink starts with this run's rows, or backfills the data
            root), drain=DURATION (how long the end of the run waits for it).
            """ + string.Concat(Engine.Sinks.SinkKinds.All.Select(k => $"\n  {k.Usage}\n      {k.Summary}")));
        var exchange = Vocabulary.Exchange($"{string.Join(", ", Engine.Venues.VenueRegistry.All.SelectMany(v => v.Stores.Select(s => s.Exchange).Prepend(v.Name)).Distinct())}, or sim (the built-in simulator); several at once: binance,bybit,okx");
        var symbol = Vocabulary.Symbol("symbols to record (live); for a capture, the symbol its REST snapshots belong to when they name none", "--symbols");
        var data = Vocabulary.Data("the data root segments go to (created if need be)", "--out");
        var schema = Spelled<string[]>.Create(Vocabulary.List("--schema", $"what to write: {Vocabulary.Schemas(withStatus: false, "and")} (default l2, trades, bars and deltas); status markers are always written", "S[,S...]"), ["--types"]);
        var depth = Vocabulary.Int("--depth", "L2 levels per side", SegmentSchema.DefaultDepth, 1, SegmentSchema.MaxDepth);
        var interval = Vocabulary.Duration("--interval", "L2 sampling interval (default 1s)");
        var duration = Vocabulary.Duration("--duration", "live: stop after this long (default: until Ctrl+C or SIGTERM)");
        var summary = Vocabulary.Text("--summary-json", "write the run's counters as JSON (they are printed at the end of every run too)", "FILE");
        var quiet = Vocabulary.Quiet();
        var ws = Vocabulary.Text("--ws-url", "another host for the venue's WebSocket routes (a simulator, a replay server); a URL with a path replaces the route too", "URL");
        var rest = Vocabulary.Text("--rest-url", "another host for Binance's REST depth snapshots (default: the --ws-url host over http)", "URL");
        var key = Vocabulary.Text("--api-key-file", "an API key sent with REST requests (or set TICKENGINE_API_KEY); for projectx a file of username=... and api_key=... lines, mode 600 (or set PROJECTX_USERNAME and PROJECTX_API_KEY); never printed", "FILE");
        var capture = Spelled<string[]>.Create(new Option<string[]>("--capture") { Description = "capture files or folders ('<receive ns> <frame>' lines or cryptofeed JSON lines, gzip or not)", HelpName = "FILE...", Arity = ArgumentArity.OneOrMore, AllowMultipleArgumentsPerToken = true }, ["--from-capture", "--sim-capture"]);
        var speed = Spelled<double?>.Create(Vocabulary.Number("--speed", "simulator: pace of --capture (1 = as recorded, 0 = as fast as the recorder takes it)", 0, 1_000_000), ["--sim-speed"]);
        var skew = new Option<string?>("--max-clock-skew")
        {
            Description = $"a frame whose exchange time is further than this from its receive time is malformed (default {FrameRules.DefaultMaxClockSkew.TotalSeconds:0}s; " +
                "off for frames dated in the past on purpose: a recording served by tickengine serve; the simulator playing a capture is off by itself)",
            HelpName = "DURATION|off",
        };
        var force = Vocabulary.Flag("--force", "with --capture: record a capture this data root already holds (its rows would be doubled)");
        var sinks = new Option<string[]>("--sink")
        {
            Description = $"also write every committed row to a sink, NAME:ARGS (repeatable; sinks: {Engine.Sinks.SinkKinds.Names}), e.g. parquet:pq or parquet:pq,policy=drop",
            HelpName = "NAME:ARGS",
            Arity = ArgumentArity.OneOrMore,
        };
        var rate = Spelled<int?>.Create(new Option<int?>("--rate") { Description = "simulator: messages/s of the synthetic market (default 5000)", HelpName = "N" }, ["--sim-rate"]);
        exchange.AddTo(cmd); symbol.AddTo(cmd); data.AddTo(cmd); schema.AddTo(cmd);
        cmd.Options.Add(depth); cmd.Options.Add(interval); cmd.Options.Add(duration); cmd.Options.Add(summary); cmd.Options.Add(quiet);
        cmd.Options.Add(ws); cmd.Options.Add(rest); cmd.Options.Add(key);
        capture.AddTo(cmd); speed.AddTo(cmd); rate.AddTo(cmd); cmd.Options.Add(skew); cmd.Options.Add(force); cmd.Options.Add(sinks);
        cmd.SetAction(r =>
        {
            var exchanges = exchange.Get(r, ctx.Error) ?? throw new UsageException($"--exchange is required ({Engine.Venues.VenueRegistry.Names} or sim)");
            string root = data.Get(r, ctx.Error) ?? throw new UsageException("--data is required: the data root segments go to");
            if (File.Exists(root)) throw new UsageException($"--data {root} is a file; give a data root directory");
            var schemas = ParseSchemas(schema.Get(r, ctx.Error));
            string? summaryPath = r.GetValue(summary);
            if (summaryPath is not null && Directory.Exists(summaryPath)) throw new UsageException($"--summary-json {summaryPath} is a directory");
            int? rateValue = rate.Get(r, ctx.Error);
            if (rateValue is <= 0 or > 10_000_000) throw new UsageException($"--rate must be from 1 to 10000000, got {rateValue}");
            var args = new Args(exchanges, symbol.Get(r, ctx.Error) ?? [], root, schemas, r.GetValue(depth), r.GetValue(interval) ?? TimeSpan.FromSeconds(1),
                r.GetValue(duration), summaryPath, r.GetValue(quiet), r.GetValue(ws), r.GetValue(rest), r.GetValue(key), capture.Get(r, ctx.Error) ?? [],
                speed.Get(r, ctx.Error), rateValue, ParseSkew(r.GetValue(skew)), r.GetValue(force), ParseSinks(r.GetValue(sinks)));
            bool sim = exchanges.Contains("sim");
            bool rootExisted = Directory.Exists(root);
            var session = BeginSession(args);
            bool ran = true;
            args = args with { Session = session };
            int code = -1;
            string? error = null;
            try
            {
                code = args.Captures.Count > 0 && !sim ? CaptureRecord.Run(args, ctx) : LiveRecord.Run(args, ctx);
                return code;
            }
            catch (Exception e) when (e is UsageException or Storage.Layout.DataRootLockedException)
            {
                // A command line refused, or a root another writer holds, before anything ran: no session, nothing left behind.
                string folder = Path.Combine(root, Engine.Sessions.CaptureSession.Folder);
                try
                {
                    File.Delete(Path.Combine(folder, session.Current.Id + ".json"));
                    if (!Directory.EnumerateFileSystemEntries(folder).Any()) Directory.Delete(folder);
                    if (!rootExisted && !Directory.EnumerateFileSystemEntries(root).Any()) Directory.Delete(root);
                }
                catch (IOException) { }
                ran = false;
                throw;
            }
            catch (Exception e)
            {
                error = e.Message;
                throw;
            }
            finally
            {
                if (ran)
                {
                string reason = error is not null ? $"error: {error}"
                    : ctx.Cancel.IsCancellationRequested ? "stopped (Ctrl+C or SIGTERM)"
                    : code != 0 ? $"failed (exit code {code})"
                    : args.Captures.Count > 0 && !sim ? "capture read to its end" : args.Duration is not null ? "duration reached" : "stopped";
                EndSession(args, session, reason, ctx);
                }
            }
        });
        return cmd;
    }

    /// <summary>--sink NAME:ARGS, each parsed (relative folders from the current directory).</summary>
    public static IReadOnlyList<Engine.Sinks.SinkRegistration> ParseSinks(string[]? specs)
    {
        var list = new List<Engine.Sinks.SinkRegistration>();
        foreach (var spec in specs ?? [])
        {
            try { list.Add(Engine.Sinks.SinkKinds.Parse(spec)); }
            catch (FormatException e) { throw new UsageException(e.Message); }
            catch (ArgumentException e) { throw new UsageException($"--sink '{spec}': {e.Message}"); }
        }
        if (list.Select(s => s.Sink.Target).Distinct().Count() != list.Count) throw new UsageException("--sink: the same sink target is given twice");
        return list;
    }

    /// <summary>--max-clock-skew: a positive duration, or off (no bound); null when not given.</summary>
    private static TimeSpan? ParseSkew(string? text)
    {
        if (text is null) return null;
        if (text == "off") return Timeout.InfiniteTimeSpan;
        if (Vocabulary.TryParseDuration(text, out var d) && d > TimeSpan.Zero) return d;
        throw new UsageException($"--max-clock-skew must be a positive duration such as 10s or 5m, or off, got '{text}'");
    }

    /// <summary>The frame rules of a run: the bound given, or <paramref name="fallback"/>'s.</summary>
    public static FrameRules Rules(TimeSpan? given, FrameRules fallback) => given is { } g ? new FrameRules { MaxClockSkew = g } : fallback;

    public static IReadOnlySet<SchemaKind> ParseSchemas(string[]? names)
    {
        if (names is null) return new HashSet<SchemaKind> { SchemaKind.L2, SchemaKind.Trades, SchemaKind.Bars, SchemaKind.Deltas };
        var set = new HashSet<SchemaKind>();
        foreach (var part in names)
        {
            if (!SegmentSchema.TryParseName(part, out var kind) || kind == SchemaKind.Status)
                throw new UsageException($"--schema takes {Vocabulary.Schemas(withStatus: false, "and")} (status markers are always written), got '{part}'");
            set.Add(kind);
        }
        return set;
    }

    /// <summary>
    /// A line for each sink that ended without every committed row made durable (cut short, or failing to the end):
    /// the rows are in the segments, and a later run with the same sink gives them.
    /// </summary>
    public static void WarnAboutSinks(Engine.Pipeline.RecordStatistics stats, TextWriter error)
    {
        foreach (var s in stats.Sinks)
        {
            if (s.State is Engine.Sinks.SinkState.Done or Engine.Sinks.SinkState.Stopped) continue;
            long lag = s.LagRows;
            error.WriteLine($"tickengine record: warning: sink {s.Target} ended {Engine.Sinks.SinkArguments.StateName(s.State)} with {lag:N0} committed rows not yet durable in it" +
                (s.LastError is { } e ? $" (last error: {e})" : "") + "; they are in the segments, and the next run with this sink catches them up");
        }
    }

    /// <summary>Writes the summary JSON (the folder made if need be).</summary>
    /// <summary>Starts the run's session: its file in the data root (its row in the database sinks once the run has started, <see cref="Started"/>).</summary>
    private static RunSession BeginSession(Args a)
    {
        var options = new Dictionary<string, string>
        {
            ["schemas"] = string.Join(",", a.Schemas.Select(SegmentSchema.NameOf)),
            ["depth"] = a.Depth.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["interval"] = a.Interval.ToString(),
        };
        if (a.Duration is { } d) options["duration"] = d.ToString();
        if (a.Captures.Count > 0) options["captures"] = string.Join(",", a.Captures.Select(Path.GetFileName));
        if (a.WsUrl is not null) options["ws_url"] = a.WsUrl;
        if (a.RestUrl is not null) options["rest_url"] = a.RestUrl;
        if (a.Rate is { } r) options["rate"] = r.ToString(System.Globalization.CultureInfo.InvariantCulture);
        if (a.Sinks is { Count: > 0 } sinks) options["sinks"] = string.Join(",", sinks.Select(x => x.Sink.Target)); // targets name no password
        var s = Engine.Sessions.CaptureSession.Begin(a.Root, a.Exchanges, a.Symbols.Select(x => x.ToUpperInvariant()).ToList(), options);
        return new RunSession(a.Root, s);
    }

    private static void EndSession(Args a, RunSession run, string reason, CliContext ctx)
    {
        var counters = new Dictionary<string, long>();
        if (run.Statistics is { } stats && System.Text.Json.Nodes.JsonNode.Parse(stats.ToJsonText()) is System.Text.Json.Nodes.JsonObject o)
            foreach (var (k, v) in o)
                if (v is System.Text.Json.Nodes.JsonValue jv && jv.TryGetValue<long>(out long n)) counters[k] = n;
        var symbols = run.Current.Symbols;
        // The symbols as stored (a ProjectX root such as MNQ is stored under its contract, CON.F.US.MNQ.Z26).
        if (run.Statistics is { } st && System.Text.Json.Nodes.JsonNode.Parse(st.ToJsonText())?["instruments"] is System.Text.Json.Nodes.JsonArray inst && inst.Count > 0)
            symbols = inst.Select(x => ((string?)x ?? "").Split('/').Last()).Where(x => x.Length > 0).Distinct().ToList();
        run.Current = run.Current with { EndNs = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() * 1_000_000, ExitReason = reason, Counters = counters, Symbols = symbols };
        try { run.Current.Save(run.Root); }
        catch (IOException e) { ctx.Error.WriteLine($"tickengine record: warning: the session file was not written: {e.Message}"); }
        WriteSessionToSinks(a, run.Current, ctx);
        if (!a.Quiet) ctx.Error.WriteLine($"record: session {run.Current.Id} ({reason})");
    }

    /// <summary>The session's row in each database sink; a database that cannot take it now is warned of (`db load` copies sessions later).</summary>
    private static void WriteSessionToSinks(Args a, Engine.Sessions.CaptureSession s, CliContext? ctx)
    {
        foreach (var reg in a.Sinks ?? [])
            if (reg.Sink is Engine.Sessions.ISessionStore store)
            {
                try { store.WriteSession(s); }
                catch (Exception e) when (e is System.Data.Common.DbException or IOException or InvalidOperationException or TimeoutException or System.Net.Sockets.SocketException)
                {
                    ctx?.Error.WriteLine($"tickengine record: warning: session {s.Id} not written to {reg.Sink.Target} now ({e.Message}); `tickengine db load` copies it");
                }
            }
    }

    /// <summary>The run has started (its root is held, its sinks open): its session's row goes into the database sinks.</summary>
    public static void Started(Args a)
    {
        if (a.Session is { } s) WriteSessionToSinks(a, s.Current, null);
    }

    public static void Finish(Args a, Engine.Pipeline.RecordStatistics stats)
    {
        if (a.Session is { } s) s.Statistics = stats;
        WriteSummary(a.SummaryJson, stats);
    }

    public static void WriteSummary(string? path, Engine.Pipeline.RecordStatistics stats)
    {
        if (path is null) return;
        string? dir = Path.GetDirectoryName(Path.GetFullPath(path));
        if (dir is not null) Directory.CreateDirectory(dir);
        File.WriteAllText(path, stats.ToJsonText());
    }
}
