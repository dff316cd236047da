using System.Collections.Concurrent;
using System.IO.Compression;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using TickEngine.Simulator.Faults;
using TickEngine.Simulator.Market;

namespace TickEngine.Simulator.Dialects;

/// <summary>
/// A stream venue's simulator on loopback: Kestrel WebSockets at the venue's paths, each market (Bybit's
/// <c>/v5/public/linear</c>, OKX's <c>/ws/v5/public</c>, ...) one <see cref="SimulatedExchange"/> (the venue-neutral
/// core: one market for every connection, pacing, sessions, its books, faults) speaking the venue's
/// <see cref="IExchangeProtocol"/>. A market plays a recorded capture (cryptofeed JSON records: the frames received on
/// the connection of that market) or the venue-neutral <see cref="SyntheticMarket"/> in the venue's words. A book
/// subscribed, or resubscribed after a gap, gets a fresh snapshot from the exchange's book in order with the frames
/// around it. Faults: <see cref="DropDelta"/> leaves one book delta out (the client sees its sequence skip);
/// <see cref="StallAt"/> goes silent with the connections left open; <see cref="DropAt"/> cuts them.
/// </summary>
public sealed class DialectExchange : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly IExchangeProtocol _protocol;
    private readonly Func<string, IMarketSource?> _markets;
    private readonly ConcurrentDictionary<string, Lazy<SimulatedExchange?>> _exchanges = new();
    private readonly CancellationTokenSource _stop = new();
    private readonly List<Task> _running = new();
    private readonly TaskCompletionSource _played = new(TaskCreationOptions.RunContinuationsAsynchronously);

    private DialectExchange(WebApplication app, IExchangeProtocol protocol, Func<string, IMarketSource?> markets, double speed, int dropDelta, int stallAt, int dropAt)
    {
        _app = app;
        _protocol = protocol;
        _markets = markets;
        Speed = speed;
        DropDelta = dropDelta;
        StallAt = stallAt;
        DropAt = dropAt;
    }

    public double Speed { get; }
    public int DropDelta { get; }
    /// <summary>Fault: the market goes silent (no data, connections left open) at this frame, for <see cref="StallFor"/>; -1: never.</summary>
    public int StallAt { get; }
    public TimeSpan StallFor { get; init; } = TimeSpan.FromSeconds(3);
    /// <summary>Fault: the connections are cut (aborted, no close handshake) at this frame; -1: never.</summary>
    public int DropAt { get; }

    /// <summary>Connections accepted (a client's reconnection shows here).</summary>
    public int Connections => _connections;
    private int _connections;
    public Uri WebSocketBase { get; private set; } = null!;
    /// <summary>Completes when a market has played its whole capture (or the synthetic events asked for).</summary>
    public Task Played => _played.Task;
    /// <summary>Book subscriptions seen, resubscriptions included.</summary>
    public int BookSubscriptions => _exchanges.Values.Where(l => l.IsValueCreated && l.Value is not null).Sum(l => l.Value!.BookSubscriptions);

    public static Task<DialectExchange> StartAsync(IExchangeProtocol protocol, string capture, double speed = 1, string host = "127.0.0.1", int port = 0, int dropDelta = -1,
        int stallAt = -1, int dropAt = -1)
    {
        var frames = Load(protocol, capture);
        return StartAsync(protocol, market => frames.TryGetValue(market, out var list) ? new CaptureSource(protocol, list) : null, speed, host, port, dropDelta, stallAt, dropAt);
    }

    /// <summary>Plays <paramref name="market"/> (<paramref name="events"/> after its opening snapshots; endless when not given) in the venue's words, one market per path.</summary>
    public static Task<DialectExchange> StartSyntheticAsync(ISyntheticProtocol protocol, SyntheticMarket market, long events = long.MaxValue, double speed = 1,
        string host = "127.0.0.1", int port = 0, int dropDelta = -1, int stallAt = -1, int dropAt = -1) =>
        StartAsync(protocol, name => new SyntheticSource(protocol, protocol.SyntheticWriter(name), market, events), speed, host, port, dropDelta, stallAt, dropAt);

    private static async Task<DialectExchange> StartAsync(IExchangeProtocol protocol, Func<string, IMarketSource?> markets, double speed, string host, int port,
        int dropDelta, int stallAt, int dropAt)
    {
        var app = LoopbackHost.Build(host, port);
        var dialect = new DialectExchange(app, protocol, markets, speed, dropDelta, stallAt, dropAt);
        // The same fault route as Binance's simulator: injected into every market this dialect runs (started or not yet).
        app.MapPost("/_sim/faults/{kind}", (string kind, int? value) =>
        {
            if (!Enum.TryParse<FaultKind>(kind, ignoreCase: true, out var k)) return Results.BadRequest($"unknown fault '{kind}'");
            if (k is FaultKind.Rest429 or FaultKind.Rest500 or FaultKind.ServerShutdown)
                return Results.BadRequest($"fault '{kind}' is Binance's (REST or its serverShutdown event): this venue has none");
            dialect.Inject(k, value ?? 1);
            return Results.Ok();
        });
        app.Map("/{**path}", async ctx =>
        {
            string? market = protocol.MarketOf(ctx.Request.Path.Value ?? "");
            if (!ctx.WebSockets.IsWebSocketRequest || market is null || dialect.ExchangeOf(market) is not { } exchange) { ctx.Response.StatusCode = 404; return; }
            using var socket = await ctx.WebSockets.AcceptWebSocketAsync();
            Interlocked.Increment(ref dialect._connections);
            await exchange.ServeAsync(socket, [], combined: false, dialect._stop.Token);
        });
        await app.StartAsync();
        dialect.WebSocketBase = new Uri($"ws://{LoopbackHost.Address(app).Authority}");
        return dialect;
    }

    private readonly ConcurrentQueue<(FaultKind Kind, int Value)> _faultsWaiting = new();

    /// <summary>Injects a fault into every market running, and into each market that starts later.</summary>
    public void Inject(FaultKind kind, int value)
    {
        bool any = false;
        foreach (var lazy in _exchanges.Values)
            if (lazy.IsValueCreated && lazy.Value is { } exchange) { exchange.Inject(kind, value); any = true; }
        if (!any) _faultsWaiting.Enqueue((kind, value));
    }

    /// <summary>The exchange of <paramref name="market"/>, started on its first connection; null when this dialect has no such market.</summary>
    private SimulatedExchange? ExchangeOf(string market) => _exchanges.GetOrAdd(market, m => new Lazy<SimulatedExchange?>(() =>
    {
        if (_markets(m) is not { } source) return null;
        // A short session queue: the market runs at most a few frames ahead of its slowest connection, so a
        // client's resubscription is answered about where it saw the trouble (the market still waits, never drops).
        var options = new SimulatorOptions { Speed = Speed, WaitForSubscriber = true, SubscriberGrace = TimeSpan.FromMilliseconds(50), SessionQueue = 8 };
        var exchange = new SimulatedExchange(source, options, _protocol) { DropDeltaAt = DropDelta, StallAt = StallAt, StallFor = StallFor, DropAt = DropAt };
        while (_faultsWaiting.TryDequeue(out var f)) exchange.Inject(f.Kind, f.Value);
        _ = exchange.Played.ContinueWith(_ => _played.TrySetResult(), TaskScheduler.Default);
        lock (_running)
            _running.Add(Task.Run(async () =>
            {
                try { await exchange.RunAsync(_stop.Token); }
                catch (OperationCanceledException) { }
            }));
        return exchange;
    })).Value;

    /// <summary>The frames of each market of a capture: (receive ns, key, text), acknowledgements left out.</summary>
    private static Dictionary<string, List<(long Ns, string Key, string Text)>> Load(IExchangeProtocol protocol, string path)
    {
        var markets = new Dictionary<string, string>();
        var frames = new Dictionary<string, List<(long, string, string)>>();
        using var file = File.OpenRead(path);
        using var gz = new GZipStream(file, CompressionMode.Decompress);
        using var reader = new StreamReader(gz);
        string? line;
        while ((line = reader.ReadLine()) is not null)
        {
            using var doc = JsonDocument.Parse(line);
            var r = doc.RootElement;
            string type = r.GetProperty("t").GetString()!;
            if (type == "connect" && protocol.MarketOf(r.GetProperty("addr").GetString()!) is { } m) markets[r.GetProperty("conn").GetString()!] = m;
            if (type != "recv" || !markets.TryGetValue(r.GetProperty("conn").GetString()!, out var market)) continue;
            string data = r.GetProperty("data").GetString()!;
            if (data.Length == 0 || data[0] != '{') continue;
            using var f = JsonDocument.Parse(data);
            if (protocol.KeyOf(f.RootElement) is not { } key) continue;
            if (!frames.TryGetValue(market, out var list)) frames[market] = list = new();
            list.Add(((long)(r.GetProperty("ts").GetDecimal() * 1_000_000_000m), key, data));
        }
        if (frames.Count == 0) throw new InvalidDataException($"{path}: no frames of this venue to play");
        return frames;
    }

    /// <summary>A venue frame as the exchange plays it: its key as the stream, and what it does to a book (delta, snapshot, or nothing).</summary>
    private static MarketFrame Frame(IExchangeProtocol protocol, long ns, string key, string text)
    {
        var bytes = Encoding.UTF8.GetBytes(text);
        using var doc = JsonDocument.Parse(bytes);
        var scratch = new Dictionary<string, ExchangeBook>();
        var book = protocol.ApplyBook(doc.RootElement, s => scratch.TryGetValue(s, out var b) ? b : scratch[s] = new ExchangeBook(MarketScale));
        var kind = book is null ? FrameKind.Other : book.Value.Delta ? FrameKind.DepthDiff : FrameKind.PartialDepth;
        return new MarketFrame(ns, key, kind, book?.Symbol ?? "", bytes, bytes);
    }

    /// <summary>The decimals the exchange keeps the stream venues' books at (exact for every price and size they send).</summary>
    public const int MarketScale = 10;

    private sealed class CaptureSource(IExchangeProtocol protocol, List<(long Ns, string Key, string Text)> frames) : IMarketSource
    {
        public IReadOnlyList<string> Symbols => [];
        public int Scale => MarketScale;

        public IEnumerable<MarketItem> Items(CancellationToken cancel)
        {
            foreach (var (ns, key, text) in frames) yield return new FrameItem(Frame(protocol, ns, key, text));
        }
    }

    private sealed class SyntheticSource(IExchangeProtocol protocol, ISyntheticWriter writer, SyntheticMarket market, long events) : IMarketSource
    {
        public IReadOnlyList<string> Symbols => [];
        public int Scale => MarketScale;

        public IEnumerable<MarketItem> Items(CancellationToken cancel)
        {
            foreach (var e in market.Events(events, cancel: cancel))
                foreach (var (key, text) in writer.Write(e))
                    yield return new FrameItem(Frame(protocol, e.TimeNs, key, text));
        }
    }

    public async ValueTask DisposeAsync()
    {
        _stop.Cancel();
        Task[] running;
        lock (_running) running = _running.ToArray();
        try { await Task.WhenAll(running); } catch (OperationCanceledException) { }
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
