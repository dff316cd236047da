using System.CommandLine;
using System.Globalization;
using System.Net;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using TickEngine.Cli.CommandLine;
using TickEngine.Engine.Live;
using TickEngine.Engine.Pipeline;
using TickEngine.Engine.Service;
using TickEngine.Engine.Sinks;
using TickEngine.Simulator;
using TickEngine.Simulator.Dialects.Binance;
using TickEngine.Storage.Format;
using TickEngine.Storage.Numerics;

namespace TickEngine.Cli.Commands;

/// <summary>
/// <c>service</c>: live capture plus an HTTP API on Kestrel: rolling candle buffers per timeframe (warmed from the
/// recordings, kept current as a sink of committed bars), health, and each connection's state and counters.
/// </summary>
public static class ServiceCommand
{
    public const string Summary = "live capture served over HTTP: rolling candles per timeframe (warmed from the recordings), health and status";

    /// <summary>The timeframes served, by name.</summary>
    public static readonly IReadOnlyDictionary<string, long> Timeframes = new Dictionary<string, long>
    {
        ["1m"] = 60_000_000_000, ["5m"] = 300_000_000_000, ["15m"] = 900_000_000_000, ["1h"] = 3_600_000_000_000, ["4h"] = 14_400_000_000_000, ["1d"] = 86_400_000_000_000,
    };

    public static Command Build(CliContext ctx)
    {
        var cmd = Verb.Create("service", Summary, """
            Records the venue live into --data (the built-in simulator with --exchange sim) and serves, on loopback
            unless --host says otherwise:
              GET /api/v1/{exchange}/{symbol}/candles/{1m|5m|15m|1h|4h|1d}?limit=N   the last N candles (default 100,
                  at most --candles), oldest first: the bars the recording writes, so every timeframe comes from the
                  same trades (each 5m candle is its five 1m candles); warmed from the stored bars at start
              GET /api/v1/{exchange}/{symbol}/latest[?depth=N]   the last trades, the book's top N levels (in sync or
                  not) and the last quote
              GET /api/v1/status   connections (state, messages), counters, committed rows, each sink's lag
              GET /api/v1/{exchange}/{symbol}/{schema}/history?start=T&end=T&format=jsonl|csv|arrow&limit=N&cursor=C   stored
                  rows of any schema, streamed from the segments: export's layouts (every column), or an Apache Arrow IPC
                  stream (decimal128 exact, int64 ns times) that pandas, polars or apache-arrow read in one call; a page
                  cut by limit names the next in the X-Next-Cursor header (give it as cursor=)
              GET /openapi/v1.json the OpenAPI document of the JSON endpoints (their schemas are the responses' own types)
              GET /metrics         Prometheus text: frames, committed rows, connections, sinks' lag, subscribers
              GET /                the live dashboard: connections and rates, the book, a trade tape, 1m candles
              GET /health          {"live":true,"ready":...}: ready once the feed is connected
              GET /api/v1/{exchange}/{symbol}/{trades|quotes|bars|status|deltas}/stream[?from=T]   the committed rows
                  as they come, as Server-Sent Events (id: the stream's sequence, 1, 2, ... in this run: a skip is a
                  gap) or, on a WebSocket upgrade, as {"seq":N,"data":{...}}; a deltas stream first sends the book its
                  changes have made (snapshot, at the sequence of the last change), then the changes; from=T first sends the stored rows from
                  T up to exactly where the live ones begin; a subscriber whose queue (10,000) fills is dropped with
                  the reason, never slowing the capture (--queue, --max-subscribers)
            Exchange and symbol are checked against what is served: no request names a path. Each client address
            may make --rate-limit requests a second (200; over it: 429), and --max-subscribers streams are held at most. Binding to another
            address than loopback needs an API key (TICKENGINE_SERVICE_KEY) sent as the X-Api-Key header, and prints a
            warning. Stops on Ctrl+C or SIGTERM: the recording is sealed.

            Settings may come from --config FILE (JSON: {"exchange":"sim","symbols":["BTCUSDT"],"data":"data","port":8080,
            "sinks":["sqlite:ticks.db"]}), each overridden by a TICKENGINE_SERVICE_<NAME> variable (PORT, SYMBOLS=A,B, ...)
            and by the command line.

            Examples:
              tickengine service --exchange sim --symbol BTCUSDT --port 8080 --data data
              curl 'http://127.0.0.1:8080/api/v1/binance/BTCUSDT/candles/1m?limit=100'
            """);
        var exchange = Vocabulary.Exchange("the venue to capture (sim: the built-in simulator)");
        var symbol = Vocabulary.Symbol("the symbols to capture");
        var data = Vocabulary.Data("the data root (recorded into; the candles are warmed from it)");
        var port = Vocabulary.Int("--port", "port (0 picks a free one)", 8080, 0, 65_535);
        var host = Vocabulary.Text("--host", "address to bind (default 127.0.0.1: loopback only; another needs TICKENGINE_SERVICE_KEY)", "IP");
        var candles = Vocabulary.Int("--candles", "candles kept per exchange, symbol and timeframe", 100, 1, 100_000);
        var rate = Vocabulary.Int("--rate", "simulator: messages/s of the synthetic market", 2_000, 1, 1_000_000);
        var duration = Vocabulary.Duration("--duration", "stop after this long (default: until Ctrl+C or SIGTERM)");
        var queue = Vocabulary.Int("--queue", "messages a stream subscriber may have waiting before it is dropped", 10_000, 1, 10_000_000);
        var maxSubscribers = Vocabulary.Int("--max-subscribers", "stream subscribers at most", 2_000, 1, 100_000);
        var rateLimit = Vocabulary.Int("--rate-limit", "requests a second one client address may make (0: no limit)", 200, 0, 1_000_000);
        var config = Vocabulary.Text("--config", "a JSON file of settings (exchange, symbols, data, port, host, candles, rate, queue, max_subscribers, rate_limit, sinks); the command line, then TICKENGINE_SERVICE_<NAME> variables, override it", "FILE");
        var sinkSpecs = new Option<string[]>("--sink") { Description = $"also write every committed row to a sink, NAME:ARGS (repeatable; {Engine.Sinks.SinkKinds.Names})", HelpName = "NAME:ARGS", Arity = ArgumentArity.OneOrMore };
        exchange.AddTo(cmd); symbol.AddTo(cmd); data.AddTo(cmd);
        foreach (var o in new Option[] { port, host, candles, rate, duration, queue, maxSubscribers, rateLimit, config, sinkSpecs }) cmd.Options.Add(o);
        cmd.SetAction(r =>
        {
            var settings = new ServiceSettings(r.GetValue(config));
            string[]? Texts(string name, string[]? given) => given is { Length: > 0 } ? given : settings.Texts(name);
            int Int(Option<int> o, string name, int min, int max)
            {
                int v = r.GetResult(o) is { Implicit: false } ? r.GetValue(o) : settings.Int(name) ?? r.GetValue(o);
                return v >= min && v <= max ? v : throw new UsageException($"{name} must be from {min} to {max}, got {v}");
            }
            var exchanges = Texts("exchange", exchange.Get(r, ctx.Error)) ?? ["sim"];
            if (exchanges.Length != 1) throw new UsageException("--exchange takes one venue in this version");
            string root = data.Get(r, ctx.Error) ?? settings.Text("data") ?? throw new UsageException("--data is required: the data root");
            if (File.Exists(root)) throw new UsageException($"--data {root} is a file; give a data root directory");
            var symbols = (Texts("symbols", symbol.Get(r, ctx.Error)) ?? ["BTCUSDT"]).Select(s => s.ToUpperInvariant()).ToList();
            foreach (var s in symbols)
                if (!Engine.Ingest.FrameRules.IsName(s)) throw new UsageException($"--symbol: '{s}' is not a symbol such as BTCUSDT");
            string bind = r.GetValue(host) ?? settings.Text("host") ?? "127.0.0.1";
            if (!IPAddress.TryParse(bind, out var address)) throw new UsageException($"--host must be an IP address, got '{bind}'");
            string? key = null;
            if (!IPAddress.IsLoopback(address))
            {
                key = Environment.GetEnvironmentVariable("TICKENGINE_SERVICE_KEY");
                if (string.IsNullOrWhiteSpace(key) || key.Trim().Length < 16)
                    throw new UsageException($"--host {bind} is not loopback: set TICKENGINE_SERVICE_KEY (16 characters or more) and send it as the X-Api-Key header");
                ctx.Error.WriteLine($"tickengine service: warning: serving on {bind}, not loopback: every request needs the X-Api-Key header");
                key = key.Trim();
            }
            var sinks = RecordCommand.ParseSinks(Texts("sinks", r.GetValue(sinkSpecs)));
            return Run(ctx, exchanges[0], symbols, root, address, Int(port, "port", 0, 65_535), Int(candles, "candles", 1, 100_000), Int(rate, "rate", 1, 1_000_000), r.GetValue(duration), key,
                Int(queue, "queue", 1, 10_000_000), Int(maxSubscribers, "max_subscribers", 1, 100_000), Int(rateLimit, "rate_limit", 0, 1_000_000), sinks);
        });
        return cmd;
    }

    private static int Run(CliContext ctx, string exchange, List<string> symbols, string root, IPAddress address, int port, int capacity, int rate, TimeSpan? duration, string? key, int queue, int maxSubscribers, int rateLimit, IReadOnlyList<SinkRegistration> sinks)
    {
        bool sim = exchange == "sim";
        var venue = sim ? null : Engine.Venues.VenueRegistry.Find(exchange);
        if (!sim && venue?.LivePlans is null && venue?.LiveFeed is null) throw new UsageException($"--exchange takes sim or a venue recorded live ({Engine.Venues.VenueRegistry.Names}), got '{exchange}'");
        string stored = sim ? "binance" : Engine.Venues.VenueRegistry.StoredId(exchange);
        var buffers = new CandleBuffers(capacity);
        long warmed = buffers.Warm(root, ctx.Cancel);
        var hub = new Service.StreamHub(queue, maxSubscribers);
        hub.Prime(root);
        SimulatorServer? simulator = null;
        var live = LiveOptions.Default;
        if (sim)
        {
            var options = new SimulatorOptions();
            simulator = SimulatorServer.StartAsync(new SimulatedExchange(new SyntheticMarketSource(symbols, rate), options), options).GetAwaiter().GetResult();
            live = live with { VenueBase = simulator.WebSocketBase, RestBase = simulator.BaseAddress };
        }
        var record = new RecordOptions
        {
            Root = root, Exchange = stored, Types = new HashSet<SchemaKind> { SchemaKind.Trades, SchemaKind.Bars, SchemaKind.Deltas, SchemaKind.L2 },
            // Catch-up: a row either misses is read back from the segments; neither ever slows the capture.
            Sinks = [new SinkRegistration(buffers), new SinkRegistration(hub), .. sinks],
        };
        LatestState? latest = null;
        var recorder = new LiveRecorder(record with { ExtraHandlers = [new LatestRelay(() => latest)] }, [(stored, live, symbols)]);
        latest = new LatestState(recorder.Pipeline.Registry);
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.Services.ConfigureHttpJsonOptions(o => o.SerializerOptions.PropertyNamingPolicy = System.Text.Json.JsonNamingPolicy.SnakeCaseLower);
        builder.Services.AddOpenApi(o => o.AddDocumentTransformer((doc, _, _) =>
        {
            doc.Info = new() { Title = "TickEngine service", Version = "v1", Description = "Live market data captured exactly: candles, latest state, history, streams, status." };
            return Task.CompletedTask;
        }));
        if (rateLimit > 0)
            builder.Services.AddRateLimiter(o =>
            {
                // Per client address, a token bucket of a second's requests: a client over it gets 429 at once (never queued).
                o.RejectionStatusCode = 429;
                o.GlobalLimiter = System.Threading.RateLimiting.PartitionedRateLimiter.Create<HttpContext, string>(http =>
                    System.Threading.RateLimiting.RateLimitPartition.GetTokenBucketLimiter(http.Connection.RemoteIpAddress?.ToString() ?? "?", _ =>
                        new System.Threading.RateLimiting.TokenBucketRateLimiterOptions
                        {
                            TokenLimit = rateLimit, TokensPerPeriod = rateLimit, ReplenishmentPeriod = TimeSpan.FromSeconds(1), QueueLimit = 0, AutoReplenishment = true,
                        }));
            });
        builder.WebHost.UseKestrel(k =>
        {
            k.Listen(address, port);
            k.Limits.MaxRequestBodySize = 16 * 1024;
            k.Limits.MaxRequestLineSize = 8 * 1024;
        });
        var app = builder.Build();
        if (rateLimit > 0) app.UseRateLimiter();
        if (key is not null)
            app.Use(async (http, next) =>
            {
                if (!string.Equals(http.Request.Headers["X-Api-Key"].ToString(), key, StringComparison.Ordinal)) { http.Response.StatusCode = 401; return; }
                await next(http);
            });
        string page = Service.Dashboard.Html(stored, symbols);
        app.MapOpenApi(); // /openapi/v1.json
        app.MapGet("/", () => Results.Content(page, "text/html; charset=utf-8")).ExcludeFromDescription();
        app.MapGet("/health", () => TypedResults.Ok(new Service.HealthDoc(true, recorder.Feeds.SelectMany(f => f.Connections).Any(c => c.State == ConnectionState.Connected))));
        app.MapGet("/api/v1/status", () => TypedResults.Ok(Status(recorder, buffers, hub, warmed)));
        app.MapGet("/api/v1/{exchange}/{symbol}/candles/{timeframe}", Results<Ok<Service.CandlesDoc>, BadRequest<Service.ErrorDoc>, NotFound<Service.ErrorDoc>> (string exchange, string symbol, string timeframe, int? limit) =>
        {
            if (!Timeframes.TryGetValue(timeframe, out long tf)) return TypedResults.BadRequest(new Service.ErrorDoc($"timeframe '{timeframe}' is not one of {string.Join(", ", Timeframes.Keys)}"));
            if (limit is < 1) return TypedResults.BadRequest(new Service.ErrorDoc("limit must be at least 1"));
            // Checked against what is held: nothing from the request reaches a path or a lookup it did not make.
            var ring = buffers.Find(exchange, symbol, tf);
            if (ring is null) return TypedResults.NotFound(new Service.ErrorDoc($"no candles of {exchange}/{symbol} {timeframe}"));
            var rows = new Candle[Math.Min(limit ?? 100, ring.Capacity)];
            int n = ring.Latest(rows.Length, rows);
            return TypedResults.Ok(CandlesDoc(exchange.ToLowerInvariant(), symbol.ToUpperInvariant(), timeframe, rows.AsSpan(0, n), ring.PriceScale, ring.QuantityScale));
        });
        app.MapGet("/api/v1/{exchange}/{symbol}/latest", Results<Ok<Service.LatestDoc>, BadRequest<Service.ErrorDoc>, NotFound<Service.ErrorDoc>> (string exchange, string symbol, int? depth) =>
        {
            if (depth is < 1 or > 1000) return TypedResults.BadRequest(new Service.ErrorDoc("depth must be from 1 to 1000"));
            var snap = latest.Find(exchange, symbol, depth ?? 10);
            return snap is null ? TypedResults.NotFound(new Service.ErrorDoc($"{exchange}/{symbol} is not recorded by this service")) : TypedResults.Ok(LatestDoc(snap));
        });
        app.MapGet("/api/v1/{exchange}/{symbol}/{schema}/history", (HttpContext http, string exchange, string symbol, string schema) => HistoryAsync(http, root, exchange, symbol, schema));
        var metrics = ServiceMetrics(recorder, hub);
        app.MapGet("/metrics", async (HttpContext http) =>
        {
            http.Response.ContentType = "text/plain; version=0.0.4; charset=utf-8";
            await metrics.CollectAndExportAsTextAsync(http.Response.Body, http.RequestAborted);
        });
        app.UseWebSockets(new WebSocketOptions { KeepAliveInterval = TimeSpan.FromSeconds(20) });
        app.Map("/api/v1/{exchange}/{symbol}/{schema}/stream", (HttpContext http, string exchange, string symbol, string schema) =>
            StreamAsync(http, hub, root, exchange, symbol, schema, ctx.Cancel));
        recorder.Start();
        app.StartAsync().GetAwaiter().GetResult();
        ctx.Error.WriteLine($"service: http://{(address.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6 ? $"[{address}]" : address)}:{Port(app)} " +
                            $"({(sim ? $"simulator on {simulator!.BaseAddress}" : exchange)}, {string.Join(",", symbols)}); {warmed:N0} stored bars warmed the candles");
        try
        {
            if (duration is { } d) Task.Delay(d, ctx.Cancel).Wait();
            else Task.Delay(Timeout.Infinite, ctx.Cancel).Wait();
        }
        catch (AggregateException) { /* Ctrl+C or SIGTERM */ }
        using (var quick = new CancellationTokenSource(TimeSpan.FromMilliseconds(300))) app.StopAsync(quick.Token).GetAwaiter().GetResult();
        app.DisposeAsync().AsTask().GetAwaiter().GetResult();
        recorder.StopAsync(ctx.Cancel).GetAwaiter().GetResult();
        simulator?.DisposeAsync().AsTask().GetAwaiter().GetResult();
        ctx.Error.WriteLine("service: stopped, the recording sealed");
        return 0;
    }

    /// <summary>
    /// A subscription to one stream, as Server-Sent Events (<c>id:</c> the sequence) or, on a WebSocket upgrade, as
    /// messages <c>{"seq":N,"data":{...}}</c>; <c>?from=T</c> first sends the stored rows from T up to where the live
    /// ones begin (sequence 0, marked history). A subscriber whose queue fills is dropped with the reason.
    /// </summary>
    private static async Task StreamAsync(HttpContext http, Service.StreamHub hub, string root, string exchange, string symbol, string schemaName, CancellationToken stopping)
    {
        if (!SegmentSchema.TryParseName(schemaName, out var kind) || !hub.Accepts(kind))
        {
            http.Response.StatusCode = 400;
            await http.Response.WriteAsJsonAsync(new { error = $"schema '{schemaName}' is not streamed (trades, quotes, bars, status, deltas)" });
            return;
        }
        if (!Engine.Ingest.FrameRules.IsName(exchange) || !Engine.Ingest.FrameRules.IsName(symbol))
        {
            http.Response.StatusCode = 400;
            await http.Response.WriteAsJsonAsync(new { error = "exchange and symbol must be names such as binance and BTCUSDT" });
            return;
        }
        long? from = null;
        if (http.Request.Query["from"].ToString() is { Length: > 0 } f)
        {
            try { from = TimeText.ParseToNanos(f, "from"); }
            catch (UsageException e) { http.Response.StatusCode = 400; await http.Response.WriteAsJsonAsync(new { error = e.Message }); return; }
        }
        var key = new Engine.Sinks.StreamKey(exchange.ToLowerInvariant(), symbol.ToUpperInvariant(), kind);
        if (hub.Subscribe(key) is not { } subscribed)
        {
            http.Response.StatusCode = 503;
            await http.Response.WriteAsJsonAsync(new { error = "too many subscribers" });
            return;
        }
        var (sub, until) = subscribed;
        using var done = CancellationTokenSource.CreateLinkedTokenSource(http.RequestAborted, stopping);
        try
        {
            if (http.WebSockets.IsWebSocketRequest)
            {
                using var ws = await http.WebSockets.AcceptWebSocketAsync();
                async Task Send(long seq, byte[] json, bool history)
                {
                    var prefix = System.Text.Encoding.ASCII.GetBytes(history ? "{\"seq\":0,\"history\":true,\"data\":" : $"{{\"seq\":{seq},\"data\":");
                    var message = new byte[prefix.Length + json.Length + 1];
                    prefix.CopyTo(message, 0);
                    json.CopyTo(message, prefix.Length);
                    message[^1] = (byte)'}';
                    await ws.SendAsync(message, System.Net.WebSockets.WebSocketMessageType.Text, true, done.Token);
                }
                if (from is { } t) foreach (var row in Service.StreamHub.History(root, key, t, until)) await Send(0, row, true);
                await foreach (var m in sub.Messages.ReadAllAsync(done.Token))
                {
                    if (m.Snapshot)
                    {
                        var head = System.Text.Encoding.ASCII.GetBytes($"{{\"seq\":{m.Sequence},\"snapshot\":true,\"data\":");
                        await ws.SendAsync((byte[])[.. head, .. m.Json, (byte)'}'], System.Net.WebSockets.WebSocketMessageType.Text, true, done.Token);
                    }
                    else await Send(m.Sequence, m.Json, false);
                }
                if (sub.DropReason is { } why && ws.State == System.Net.WebSockets.WebSocketState.Open)
                    await ws.CloseAsync(System.Net.WebSockets.WebSocketCloseStatus.PolicyViolation, why.Length > 120 ? why[..120] : why, CancellationToken.None);
                return;
            }
            http.Response.ContentType = "text/event-stream";
            http.Response.Headers.CacheControl = "no-cache";
            var body = http.Response.Body;
            if (from is { } start)
            {
                foreach (var row in Service.StreamHub.History(root, key, start, until))
                {
                    await body.WriteAsync("event: history\ndata: "u8.ToArray(), done.Token);
                    await body.WriteAsync(row, done.Token);
                    await body.WriteAsync("\n\n"u8.ToArray(), done.Token);
                }
            }
            await body.FlushAsync(done.Token);
            await foreach (var m in sub.Messages.ReadAllAsync(done.Token))
            {
                await body.WriteAsync(System.Text.Encoding.ASCII.GetBytes(m.Snapshot ? $"event: snapshot\nid: {m.Sequence}\ndata: " : $"id: {m.Sequence}\ndata: "), done.Token);
                await body.WriteAsync(m.Json, done.Token);
                await body.WriteAsync("\n\n"u8.ToArray(), done.Token);
                if (!sub.Messages.TryPeek(out _)) await body.FlushAsync(done.Token);
            }
            if (sub.DropReason is { } reason)
            {
                await body.WriteAsync(System.Text.Encoding.UTF8.GetBytes($"event: dropped\ndata: {System.Text.Json.JsonSerializer.Serialize(new { reason })}\n\n"), CancellationToken.None);
                await body.FlushAsync(CancellationToken.None);
            }
        }
        catch (OperationCanceledException) { /* the client left, or the service stops */ }
        catch (Exception e) when (e is IOException or System.Net.WebSockets.WebSocketException) { /* the client left */ }
        finally
        {
            hub.Unsubscribe(sub);
        }
    }

    /// <summary>
    /// The service's figures in Prometheus's text format (prometheus-net 8.2.1: its exporter is stable, where
    /// OpenTelemetry's Prometheus exporter is still a beta), read from the recorder when scraped.
    /// </summary>
    private static Prometheus.CollectorRegistry ServiceMetrics(LiveRecorder recorder, Service.StreamHub hub)
    {
        var registry = Prometheus.Metrics.NewCustomRegistry();
        var f = Prometheus.Metrics.WithCustomRegistry(registry);
        var frames = f.CreateGauge("tickengine_frames", "frames read from the venues, all connections");
        var reconnects = f.CreateGauge("tickengine_reconnects", "reconnections of the venues' connections");
        var committed = f.CreateGauge("tickengine_committed_rows", "rows committed to the segments, by schema", "schema");
        var connected = f.CreateGauge("tickengine_connections", "venue connections by state", "state");
        var lag = f.CreateGauge("tickengine_sink_lag_rows", "rows committed that a sink does not hold yet", "sink");
        var subscribers = f.CreateGauge("tickengine_stream_subscribers", "stream subscribers now");
        var dropped = f.CreateGauge("tickengine_stream_subscribers_dropped", "stream subscribers dropped for a full queue");
        var ring = f.CreateGauge("tickengine_ring_backlog", "events on the ring not yet handled");
        registry.AddBeforeCollectCallback(() =>
        {
            frames.Set(recorder.Pipeline.Adapters.Sum(a => a.Counters.Frames));
            reconnects.Set(recorder.Reconnects);
            foreach (var o in recorder.Pipeline.Outputs) committed.WithLabels(SegmentSchema.NameOf(o.Kind)).Set(o.CommittedRows);
            foreach (var state in Enum.GetValues<ConnectionState>())
                connected.WithLabels(state.ToString()).Set(recorder.Feeds.SelectMany(x => x.Connections).Count(c => c.State == state));
            foreach (var r in recorder.Pipeline.Runners) lag.WithLabels(r.Sink.Target).Set(r.Statistics.LagRows);
            subscribers.Set(hub.Subscribers);
            dropped.Set(hub.Dropped);
            ring.Set(recorder.Pipeline.Disruptor.Backlog);
        });
        return registry;
    }

    /// <summary>
    /// The service's settings from a JSON file, each overridden by its <c>TICKENGINE_SERVICE_&lt;NAME&gt;</c> variable
    /// (the command line overrides both). An unknown setting or a value of the wrong kind is refused by name.
    /// </summary>
    private sealed class ServiceSettings
    {
        private static readonly string[] Known = ["exchange", "symbols", "data", "port", "host", "candles", "rate", "queue", "max_subscribers", "rate_limit", "sinks"];
        private readonly JsonObject? _file;
        private readonly string? _path;

        public ServiceSettings(string? path)
        {
            _path = path;
            if (path is null) return;
            if (!File.Exists(path)) throw new UsageException($"--config {path}: no such file");
            try { _file = JsonNode.Parse(File.ReadAllText(path)) as JsonObject ?? throw new UsageException($"--config {path}: not a JSON object"); }
            catch (System.Text.Json.JsonException e) { throw new UsageException($"--config {path}: not valid JSON ({e.Message})"); }
            foreach (var (k, _) in _file)
                if (!Known.Contains(k)) throw new UsageException($"--config {path}: unknown setting '{k}' (settings: {string.Join(", ", Known)})");
        }

        private static string? Env(string name) => Environment.GetEnvironmentVariable("TICKENGINE_SERVICE_" + name.ToUpperInvariant()) is { Length: > 0 } v ? v : null;

        public string? Text(string name)
        {
            if (Env(name) is { } e) return e;
            return _file?[name] switch { null => null, JsonValue v when v.TryGetValue<string>(out var t) => t, var n => throw new UsageException($"--config {_path}: {name} must be text, got {n.ToJsonString()}") };
        }

        public string[]? Texts(string name)
        {
            if (Env(name) is { } e) return e.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
            return _file?[name] switch
            {
                null => null,
                JsonArray a when a.All(x => x is JsonValue v && v.TryGetValue<string>(out _)) => a.Select(x => (string)x!).ToArray(),
                JsonValue v when v.TryGetValue<string>(out var t) => [t],
                var n => throw new UsageException($"--config {_path}: {name} must be text or a list of text, got {n.ToJsonString()}"),
            };
        }

        public int? Int(string name)
        {
            if (Env(name) is { } e)
                return int.TryParse(e, NumberStyles.None, CultureInfo.InvariantCulture, out int i) ? i : throw new UsageException($"TICKENGINE_SERVICE_{name.ToUpperInvariant()}: '{e}' is not a whole number");
            return _file?[name] switch { null => null, JsonValue v when v.TryGetValue<int>(out var i) => i, var n => throw new UsageException($"--config {_path}: {name} must be a whole number, got {n.ToJsonString()}") };
        }
    }

    /// <summary>
    /// Stored rows of one stream between <c>start</c> and <c>end</c> (exchange time; epoch ms or ISO-8601), as JSON
    /// lines, CSV (export's layouts) or Arrow, streamed from the segments as they are read (never the range in memory),
    /// at most <c>limit</c> rows (default 1,000,000) from <c>cursor</c>; the next page's cursor in <c>X-Next-Cursor</c>.
    /// </summary>
    private static async Task HistoryAsync(HttpContext http, string root, string exchange, string symbol, string schemaName)
    {
        async Task Refuse(int status, string error)
        {
            http.Response.StatusCode = status;
            await http.Response.WriteAsJsonAsync(new { error });
        }
        if (!SegmentSchema.TryParseName(schemaName, out var kind)) { await Refuse(400, $"schema '{schemaName}' is not one of {Vocabulary.SchemaNames}"); return; }
        if (!Engine.Ingest.FrameRules.IsName(exchange) || !Engine.Ingest.FrameRules.IsName(symbol)) { await Refuse(400, "exchange and symbol must be names such as binance and BTCUSDT"); return; }
        var q = http.Request.Query;
        string format = q["format"].ToString() is { Length: > 0 } fm ? fm : "jsonl";
        if (format is not ("jsonl" or "csv" or "arrow")) { await Refuse(400, $"format '{format}' is not jsonl, csv or arrow"); return; }
        long start = long.MinValue, end = long.MaxValue, limit = 1_000_000;
        try
        {
            if (q["start"].ToString() is { Length: > 0 } a) start = TimeText.ParseToNanos(a, "start");
            if (q["end"].ToString() is { Length: > 0 } b) end = TimeText.ParseToNanos(b, "end");
        }
        catch (UsageException e) { await Refuse(400, e.Message); return; }
        if (q["limit"].ToString() is { Length: > 0 } l && (!long.TryParse(l, NumberStyles.None, CultureInfo.InvariantCulture, out limit) || limit is < 1 or > 10_000_000))
        { await Refuse(400, "limit must be from 1 to 10000000"); return; }
        if (end <= start) { await Refuse(400, "end must be after start"); return; }
        var position = new Service.HistoryPages.Position(long.MinValue, 0, 0);
        if (q["cursor"].ToString() is { Length: > 0 } cur && !Service.HistoryPages.Position.TryParse(cur, out position))
        { await Refuse(400, $"cursor '{cur}' is not one this service gave (DAY.PART.ROW)"); return; }
        string ex = exchange.ToLowerInvariant(), sym = symbol.ToUpperInvariant();
        var segments = Service.HistoryPages.Segments(root, kind, ex, sym);
        if (segments.Count == 0) { await Refuse(404, $"no {SegmentSchema.NameOf(kind)} of {exchange}/{symbol} is stored"); return; }
        // Where the next page starts, known before this one is sent: a header whatever the format.
        var next = await Task.Run(() => Service.HistoryPages.Next(segments, position, start, end, limit, http.RequestAborted));
        if (next is { } n) http.Response.Headers["X-Next-Cursor"] = n.ToString();
        http.Response.ContentType = format switch { "csv" => "text/csv; charset=utf-8", "arrow" => "application/vnd.apache.arrow.stream", _ => "application/x-ndjson" };
        // The layouts write synchronously: on a thread of its own, for this response only.
        http.Features.Get<Microsoft.AspNetCore.Http.Features.IHttpBodyControlFeature>()!.AllowSynchronousIO = true;
        await Task.Run(() =>
        {
            var rows = Service.HistoryPages.Rows(segments, position, next, start, end).Select(x => x.Cursor);
            try
            {
                if (format == "arrow")
                {
                    Csv.ArrowExport.Write(rows, ex, sym, http.Response.Body, http.RequestAborted);
                    return;
                }
                using var o = new Csv.Utf8Output(http.Response.Body);
                byte[] sb = System.Text.Encoding.ASCII.GetBytes(sym), eb = System.Text.Encoding.ASCII.GetBytes(ex);
                byte[][]? names = null;
                foreach (var c in rows)
                {
                    if (names is null)
                    {
                        names = Csv.ExportLayout.QuotedNames(c.Reader.Schema);
                        if (format == "csv") o.Raw(System.Text.Encoding.UTF8.GetBytes(Csv.ExportLayout.Header(c.Reader.Schema, true) + "\n"));
                    }
                    if (format == "csv") Csv.ExportLayout.WriteCsv(o, c, sb, eb, true);
                    else Csv.ExportLayout.WriteJson(o, c, sb, eb, names);
                    if (http.RequestAborted.IsCancellationRequested) break;
                }
                o.Flush();
            }
            catch (Exception e) when (e is InvalidDataException or StorageFormatException) { /* a damaged segment: what came before it was sent */ }
        });
    }

    /// <summary>Hands ring events to the latest state once it exists (it needs the recorder's registry, made with the recorder).</summary>
    private sealed class LatestRelay(Func<LatestState?> state) : Engine.Ring.IValueEventHandler<Engine.Events.MarketEvent>
    {
        public void OnEvent(ref Engine.Events.MarketEvent e, long sequence, bool endOfBatch) => state()?.OnEvent(ref e, sequence, endOfBatch);
        public void OnShutdown() { }
    }

    private static Service.LatestDoc LatestDoc(LatestSnapshot s)
    {
        int ps = s.Instrument.PriceScale, qs = s.Instrument.QuantityScale;
        List<IReadOnlyList<string>> Levels(IReadOnlyList<(long Price, long Quantity)> l) => l.Select(x => (IReadOnlyList<string>)[FixedDecimal.ToString(x.Price, ps), FixedDecimal.ToString(x.Quantity, qs)]).ToList();
        return new Service.LatestDoc(s.Instrument.Exchange, s.Instrument.Symbol,
            new Service.BookDoc(s.BookInSync, s.BookTime, Levels(s.Bids), Levels(s.Asks)),
            s.Quote is { } q ? new Service.QuoteDoc(q.Time, FixedDecimal.ToString(q.Bid, ps), FixedDecimal.ToString(q.BidQuantity, qs), FixedDecimal.ToString(q.Ask, ps), FixedDecimal.ToString(q.AskQuantity, qs)) : null,
            s.Trades.Select(t => new Service.TradeDoc(t.Time, FixedDecimal.ToString(t.Price, ps), FixedDecimal.ToString(t.Quantity, qs),
                t.Side == (byte)TradeSide.Buy ? "buy" : t.Side == (byte)TradeSide.Sell ? "sell" : "unknown")).ToList());
    }

    private static int Port(WebApplication app) =>
        new Uri(app.Services.GetService(typeof(Microsoft.AspNetCore.Hosting.Server.IServer)) is Microsoft.AspNetCore.Hosting.Server.IServer s
            ? s.Features.Get<Microsoft.AspNetCore.Hosting.Server.Features.IServerAddressesFeature>()!.Addresses.First() : "http://127.0.0.1:0").Port;

    /// <summary>Candles as the API sends them: exact decimals as text, times in ns and ISO.</summary>
    public static Service.CandlesDoc CandlesDoc(string exchange, string symbol, string timeframe, ReadOnlySpan<Candle> rows, int ps, int qs)
    {
        var list = new List<Service.CandleDoc>(rows.Length);
        foreach (var c in rows)
            list.Add(new Service.CandleDoc(c.OpenTime, TimeText.FormatIso(c.OpenTime), FixedDecimal.ToString(c.Open, ps), FixedDecimal.ToString(c.High, ps),
                FixedDecimal.ToString(c.Low, ps), FixedDecimal.ToString(c.Close, ps), FixedDecimal.ToString(c.Volume, qs), FixedDecimal.ToString(c.BuyVolume, qs),
                c.Trades, (c.Flags & (long)RowFlags.Partial) != 0));
        return new Service.CandlesDoc(exchange, symbol, timeframe, list);
    }

    private static Service.StatusDoc Status(LiveRecorder recorder, CandleBuffers buffers, Service.StreamHub hub, long warmed) => new(
        recorder.Feeds.SelectMany(f => f.Connections).Select(c => new Service.ConnectionDoc(c.Uri.ToString(), c.State.ToString(), c.Messages)).ToList(),
        recorder.Reconnects,
        recorder.Pipeline.Adapters.Sum(a => a.Counters.Frames),
        recorder.Pipeline.Outputs.ToDictionary(o => SegmentSchema.NameOf(o.Kind), o => o.CommittedRows),
        recorder.Pipeline.Runners.Select(r => new Service.SinkDoc(r.Sink.Target, SinkArguments.StateName(r.State), r.Statistics.LagRows)).ToList(),
        new Service.CandlesStatusDoc(warmed, buffers.All.Count()),
        new Service.StreamsStatusDoc(hub.Subscribers, hub.Dropped));
}
