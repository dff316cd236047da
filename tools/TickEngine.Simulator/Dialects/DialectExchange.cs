using System.Globalization;
using System.IO.Compression;
using System.Net;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace TickEngine.Simulator.Dialects;

/// <summary>A book as a dialect plays it: each level's price and size as the venue wrote them, ordered by value.</summary>
public sealed class DialectBook
{
    public readonly SortedDictionary<decimal, (string Price, string Size)> Bids = new(Comparer<decimal>.Create((a, b) => b.CompareTo(a)));
    public readonly SortedDictionary<decimal, (string Price, string Size)> Asks = new();
    /// <summary>Whatever the venue's snapshot needs besides the levels (update id, sequence, times).</summary>
    public readonly Dictionary<string, long> Fields = new(StringComparer.Ordinal);
    public readonly Dictionary<string, string> Texts = new(StringComparer.Ordinal);
    public bool Known;

    public void Clear()
    {
        Bids.Clear();
        Asks.Clear();
        Known = true;
    }

    public void Set(bool bid, string price, string size)
    {
        var side = bid ? Bids : Asks;
        decimal key = decimal.Parse(price, CultureInfo.InvariantCulture);
        if (decimal.Parse(size, CultureInfo.InvariantCulture) == 0) side.Remove(key); else side[key] = (price, size);
    }
}

/// <summary>What one venue's protocol says; the <see cref="DialectExchange"/> core does the rest.</summary>
public interface IDialectProtocol
{
    /// <summary>The market a capture connection's URL, or a request path, serves ("linear", "public"), or null.</summary>
    string? MarketOf(string urlOrPath);

    /// <summary>The subscription key of a data frame ("orderbook:BTCUSDT", "trades:BTC-USDT"), or null for a frame the dialect does not replay (acknowledgements).</summary>
    string? KeyOf(JsonElement frame);

    /// <summary>For a book frame: plays it into <paramref name="books"/> and returns its symbol, and whether it is a delta; null for any other frame.</summary>
    (string Symbol, bool Delta)? ApplyBook(JsonElement frame, Func<string, DialectBook> books);

    /// <summary>A snapshot frame of a book as the venue would send it on (re)subscription.</summary>
    string Snapshot(string symbol, DialectBook book);

    /// <summary>
    /// A client message: the keys it subscribes and unsubscribes, the books among them (their symbols) and the
    /// replies to send (acknowledgements, pong).
    /// </summary>
    (IReadOnlyList<string> Subscribe, IReadOnlyList<string> Unsubscribe, IReadOnlyList<string> Books, IReadOnlyList<string> Replies) OnClient(string text);

    /// <summary>
    /// Every message as it leaves, with the connection's message counter (a venue that numbers a connection's
    /// messages, as Coinbase's <c>sequence_num</c>, renumbers here what the capture numbered on its own connection).
    /// </summary>
    string Outgoing(string text, ref long counter) => text;

    /// <summary>
    /// A writer of the venue-neutral <see cref="Market.SyntheticMarket"/>'s events as this venue's frames on a
    /// connection to <paramref name="market"/> (one per connection: it may keep the book, for checksums and quotes).
    /// </summary>
    ISyntheticWriter SyntheticWriter(string market);
}

/// <summary>Writes synthetic market events as one venue's frames for one connection: each (subscription key, text).</summary>
public interface ISyntheticWriter
{
    IEnumerable<(string Key, string Text)> Write(Market.SyntheticEvent e);
}

/// <summary>
/// The venue-neutral core of the stream venues' simulators: Kestrel WebSockets on loopback, each connection playing
/// a market, paced by <c>speed</c>, filtered by what the client subscribed. The market is either a recorded capture
/// (cryptofeed JSON records: the frames received on the connection of the same market) or the venue-neutral
/// <see cref="Market.SyntheticMarket"/> (any number of symbols, any rate, deterministic for a seed), which the
/// venue's writer puts into its words. The books are kept from the frames played, so that a book subscribed, or
/// resubscribed after a gap, starts from a fresh snapshot in order with the frames around it. One
/// <see cref="IDialectProtocol"/> per venue writes and reads the venue's JSON; nothing else here does. Faults:
/// <see cref="DropDelta"/> leaves one book delta out (the client sees its sequence skip); <see cref="StallAt"/> goes
/// silent with the connection left open; <see cref="DropAt"/> cuts the connection.
/// </summary>
public sealed class DialectExchange : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly IDialectProtocol _protocol;
    private readonly CancellationTokenSource _stop = new();
    private readonly TaskCompletionSource _played = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int _bookSubscriptions;

    private DialectExchange(WebApplication app, IDialectProtocol protocol, double speed, int dropDelta)
    {
        _app = app;
        _protocol = protocol;
        Speed = speed;
        DropDelta = dropDelta;
    }

    public double Speed { get; }
    public int DropDelta { get; }

    /// <summary>Fault: the first connection goes silent (no data, the connection left open) at this frame, for <see cref="StallFor"/>; -1: never.</summary>
    public int StallAt { get; init; } = -1;
    public TimeSpan StallFor { get; init; } = TimeSpan.FromSeconds(3);
    private int _stalled;

    /// <summary>Fault: the first connection is cut (aborted, no close handshake) at this frame; -1: never.</summary>
    public int DropAt { get; init; } = -1;
    private int _dropped;

    /// <summary>Connections accepted (a client's reconnection shows here).</summary>
    public int Connections => _connections;
    private int _connections;
    public Uri WebSocketBase { get; private set; } = null!;
    /// <summary>Completes when a connection has played its market's whole capture.</summary>
    public Task Played => _played.Task;
    /// <summary>Book subscriptions seen, resubscriptions included.</summary>
    public int BookSubscriptions => _bookSubscriptions;

    public static Task<DialectExchange> StartAsync(IDialectProtocol protocol, string capture, double speed = 1, string host = "127.0.0.1", int port = 0, int dropDelta = -1,
        int stallAt = -1, int dropAt = -1)
    {
        var frames = Load(protocol, capture);
        return StartAsync(protocol, market => frames.TryGetValue(market, out var list) ? () => list : null, speed, host, port, dropDelta, stallAt, dropAt);
    }

    /// <summary>
    /// Plays <paramref name="market"/> (<paramref name="events"/> after its opening snapshots; endless when not given) to
    /// every connection, from its start, in the venue's words.
    /// </summary>
    public static Task<DialectExchange> StartSyntheticAsync(IDialectProtocol protocol, Market.SyntheticMarket market, long events = long.MaxValue, double speed = 1,
        string host = "127.0.0.1", int port = 0, int dropDelta = -1, int stallAt = -1, int dropAt = -1) =>
        StartAsync(protocol, name => () => Write(protocol.SyntheticWriter(name), market.Events(events)), speed, host, port, dropDelta, stallAt, dropAt);

    private static IEnumerable<(long Ns, string Key, string Text)> Write(ISyntheticWriter writer, IEnumerable<Market.SyntheticEvent> events)
    {
        foreach (var e in events)
            foreach (var (key, text) in writer.Write(e))
                yield return (e.TimeNs, key, text);
    }

    private static async Task<DialectExchange> StartAsync(IDialectProtocol protocol, Func<string, Func<IEnumerable<(long Ns, string Key, string Text)>>?> marketFrames,
        double speed, string host, int port, int dropDelta, int stallAt, int dropAt)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseKestrel(k => k.Listen(IPAddress.Parse(host), port));
        var app = builder.Build();
        app.UseWebSockets();
        var dialect = new DialectExchange(app, protocol, speed, dropDelta) { StallAt = stallAt, DropAt = dropAt };
        app.Map("/{**path}", async ctx =>
        {
            string? market = protocol.MarketOf(ctx.Request.Path.Value ?? "");
            if (!ctx.WebSockets.IsWebSocketRequest || market is null || marketFrames(market) is not { } frames) { ctx.Response.StatusCode = 404; return; }
            using var socket = await ctx.WebSockets.AcceptWebSocketAsync();
            Interlocked.Increment(ref dialect._connections);
            await new Session(dialect, socket, frames()).RunAsync(dialect._stop.Token);
        });
        await app.StartAsync();
        var address = new Uri(app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First());
        dialect.WebSocketBase = new Uri($"ws://{address.Authority}");
        return dialect;
    }

    private static Dictionary<string, List<(long Ns, string Key, string Text)>> Load(IDialectProtocol protocol, string path)
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

    public async ValueTask DisposeAsync()
    {
        _stop.Cancel();
        await _app.StopAsync();
        await _app.DisposeAsync();
    }

    private sealed class Session(DialectExchange dialect, WebSocket socket, IEnumerable<(long Ns, string Key, string Text)> frames)
    {
        private readonly HashSet<string> _keys = new(StringComparer.Ordinal);
        private readonly Dictionary<string, DialectBook> _books = new(StringComparer.Ordinal);
        private readonly SemaphoreSlim _send = new(1, 1);
        private readonly System.Collections.Concurrent.ConcurrentQueue<string> _snapshotsDue = new();
        private long _counter;

        private DialectBook BookOf(string symbol) => _books.TryGetValue(symbol, out var b) ? b : _books[symbol] = new DialectBook();

        public async Task RunAsync(CancellationToken stop)
        {
            using var session = CancellationTokenSource.CreateLinkedTokenSource(stop);
            var receive = ReceiveAsync(session.Token);
            try
            {
                // The market starts with the client's first subscription, as an exchange answers one: what a venue
                // sends at subscription (a snapshot, the last trades) is then sent, not played before anyone asked.
                var waited = System.Diagnostics.Stopwatch.StartNew();
                while (!session.IsCancellationRequested && waited.Elapsed < TimeSpan.FromSeconds(10))
                {
                    lock (_keys) if (_keys.Count > 0) break;
                    await Task.Delay(5, session.Token);
                }
                await Task.Delay(50, session.Token); // the rest of a subscription sent in several messages
                long first = -1;
                var clock = System.Diagnostics.Stopwatch.StartNew();
                int delta = 0, index = 0;
                foreach (var (ns, key, text) in frames)
                {
                    if (session.IsCancellationRequested || socket.State != WebSocketState.Open) return;
                    int at = index++;
                    if (at == dialect.DropAt && Interlocked.Exchange(ref dialect._dropped, 1) == 0)
                    {
                        socket.Abort(); // the connection is lost: the client must reconnect, resubscribe and resync
                        return;
                    }
                    if (at == dialect.StallAt && Interlocked.Exchange(ref dialect._stalled, 1) == 0)
                    {
                        await Task.Delay(dialect.StallFor, session.Token); // silent: the client's watchdog should give up on us
                        if (socket.State != WebSocketState.Open) return;
                    }
                    if (first < 0) first = ns;
                    double wait = (ns - first) / 1e6 / dialect.Speed - clock.Elapsed.TotalMilliseconds;
                    if (wait > 1) await Task.Delay(TimeSpan.FromMilliseconds(wait), session.Token);
                    // Snapshots asked for by (re)subscriptions go out here, in order with the frames around them.
                    while (_snapshotsDue.TryDequeue(out var symbol))
                    {
                        string? snap;
                        lock (_books) snap = BookOf(symbol) is { Known: true } b ? dialect._protocol.Snapshot(symbol, b) : null;
                        if (snap is not null) await Send(snap, session.Token);
                    }
                    bool skip = false;
                    using (var doc = JsonDocument.Parse(text))
                    {
                        (string, bool)? book;
                        lock (_books) book = dialect._protocol.ApplyBook(doc.RootElement, BookOf);
                        if (book is { Item2: true } && delta++ == dialect.DropDelta)
                        {
                            // Lost on the way: its message number is used all the same, as an exchange's would be.
                            skip = true;
                            await _send.WaitAsync(session.Token);
                            try { dialect._protocol.Outgoing(text, ref _counter); } finally { _send.Release(); }
                        }
                    }
                    lock (_keys) if (!_keys.Contains(key)) skip = true;
                    if (!skip) await Send(text, session.Token);
                }
                dialect._played.TrySetResult();
                await receive; // connected until the client leaves
            }
            catch (OperationCanceledException) { }
            catch (WebSocketException) { }
            finally { session.Cancel(); }
        }

        private async Task ReceiveAsync(CancellationToken cancel)
        {
            var buffer = new byte[1 << 16];
            try
            {
                while (socket.State == WebSocketState.Open && !cancel.IsCancellationRequested)
                {
                    var r = await socket.ReceiveAsync(buffer, cancel);
                    if (r.MessageType == WebSocketMessageType.Close) return;
                    var (subscribe, unsubscribe, books, replies) = dialect._protocol.OnClient(Encoding.UTF8.GetString(buffer, 0, r.Count));
                    lock (_keys)
                    {
                        foreach (var k in unsubscribe) _keys.Remove(k);
                        foreach (var k in subscribe) _keys.Add(k);
                    }
                    foreach (var reply in replies) await Send(reply, cancel);
                    foreach (var symbol in books)
                    {
                        Interlocked.Increment(ref dialect._bookSubscriptions);
                        _snapshotsDue.Enqueue(symbol);
                    }
                }
            }
            catch (OperationCanceledException) { }
            catch (WebSocketException) { }
            catch (JsonException) { }
        }

        private async Task Send(string text, CancellationToken cancel)
        {
            await _send.WaitAsync(cancel);
            try
            {
                text = dialect._protocol.Outgoing(text, ref _counter);
                await socket.SendAsync(Encoding.UTF8.GetBytes(text), WebSocketMessageType.Text, true, cancel);
            }
            finally { _send.Release(); }
        }
    }
}
