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

/// <summary>
/// Bybit v5 public streams on loopback (<c>ws://host:port/v5/public/spot|linear|inverse</c>), playing a recorded Bybit
/// capture (cryptofeed JSON records): each connection gets the frames the capture received on the connection of the
/// same market, paced by <c>speed</c>, filtered by what it subscribed (<c>{"op":"subscribe","args":[...]}</c>,
/// acknowledged as Bybit does; <c>ping</c> answered with <c>pong</c>). The dialect keeps each book from the frames it
/// plays, so a book subscribed (or resubscribed) after its first snapshot gets a fresh snapshot of that book, as Bybit
/// sends one. Faults: <see cref="DropDelta"/> leaves out one book delta (the client sees a skipped <c>u</c>).
/// </summary>
public sealed class BybitDialect : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly Dictionary<string, List<(long Ns, string Topic, string Text)>> _frames;
    private readonly CancellationTokenSource _stop = new();
    private readonly TaskCompletionSource _played = new(TaskCreationOptions.RunContinuationsAsynchronously);

    private BybitDialect(WebApplication app, Dictionary<string, List<(long, string, string)>> frames, double speed)
    {
        _app = app;
        _frames = frames;
        Speed = speed;
    }

    public double Speed { get; }
    public Uri WebSocketBase { get; private set; } = null!;

    /// <summary>The book delta (counted over the market's deltas, from 0) a session leaves out; -1: none.</summary>
    public int DropDelta { get; init; } = -1;

    /// <summary>Completes when a session has played its market's whole capture.</summary>
    public Task Played => _played.Task;

    /// <summary>Subscriptions and resubscriptions of books seen (a resync shows here).</summary>
    public int BookSubscriptions => _bookSubscriptions;
    private int _bookSubscriptions;

    public static async Task<BybitDialect> StartAsync(string capture, double speed = 1, string host = "127.0.0.1", int port = 0, int dropDelta = -1)
    {
        var frames = Load(capture);
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseKestrel(k => k.Listen(IPAddress.Parse(host), port));
        var app = builder.Build();
        app.UseWebSockets();
        var dialect = new BybitDialect(app, frames, speed) { DropDelta = dropDelta };
        app.Map("/v5/public/{market}", async ctx =>
        {
            string market = (string)ctx.Request.RouteValues["market"]!;
            if (!ctx.WebSockets.IsWebSocketRequest || !frames.ContainsKey(market)) { ctx.Response.StatusCode = 404; return; }
            using var socket = await ctx.WebSockets.AcceptWebSocketAsync();
            await new Session(dialect, socket, frames[market]).RunAsync(dialect._stop.Token);
        });
        await app.StartAsync();
        var address = new Uri(app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First());
        dialect.WebSocketBase = new Uri($"ws://{address.Authority}");
        return dialect;
    }

    /// <summary>The capture's received frames by market (from each connection's URL), in order, with their topic.</summary>
    private static Dictionary<string, List<(long, string, string)>> Load(string path)
    {
        var markets = new Dictionary<string, string>();
        var frames = new Dictionary<string, List<(long, string, string)>>();
        using var gz = new GZipStream(File.OpenRead(path), CompressionMode.Decompress);
        using var reader = new StreamReader(gz);
        string? line;
        while ((line = reader.ReadLine()) is not null)
        {
            using var doc = JsonDocument.Parse(line);
            var r = doc.RootElement;
            string type = r.GetProperty("t").GetString()!;
            if (type == "connect") markets[r.GetProperty("conn").GetString()!] = r.GetProperty("addr").GetString()!.TrimEnd('/').Split('/')[^1];
            if (type != "recv" || !markets.TryGetValue(r.GetProperty("conn").GetString()!, out var market)) continue;
            string data = r.GetProperty("data").GetString()!;
            using var f = JsonDocument.Parse(data);
            if (!f.RootElement.TryGetProperty("topic", out var topic)) continue; // acknowledgements: the dialect makes its own
            if (!frames.TryGetValue(market, out var list)) frames[market] = list = new();
            list.Add(((long)(r.GetProperty("ts").GetDecimal() * 1_000_000_000m), topic.GetString()!, data));
        }
        return frames;
    }

    public async ValueTask DisposeAsync()
    {
        _stop.Cancel();
        await _app.StopAsync();
        await _app.DisposeAsync();
    }

    /// <summary>A book as the dialect plays it: price text by value, for snapshots.</summary>
    private sealed class Book
    {
        public readonly SortedDictionary<decimal, (string Price, string Qty)> Bids = new(Comparer<decimal>.Create((a, b) => b.CompareTo(a)));
        public readonly SortedDictionary<decimal, (string Price, string Qty)> Asks = new();
        public long U, Seq, Ts, Cts;
        public bool Known;
    }

    private sealed class Session(BybitDialect dialect, WebSocket socket, List<(long Ns, string Topic, string Text)> frames)
    {
        private readonly HashSet<string> _topics = new(StringComparer.Ordinal);
        private readonly Dictionary<string, Book> _books = new(StringComparer.Ordinal);
        private readonly SemaphoreSlim _send = new(1, 1);
        private readonly System.Collections.Concurrent.ConcurrentQueue<string> _snapshotsDue = new();

        private static string SymbolOfBook(string topic) => topic.StartsWith("orderbook.", StringComparison.Ordinal) ? topic[(topic.LastIndexOf('.') + 1)..] : "";

        private bool Subscribed(string topic)
        {
            if (_topics.Contains(topic)) return true;
            string symbol = SymbolOfBook(topic);
            return symbol.Length > 0 && _topics.Any(t => SymbolOfBook(t) == symbol); // any book depth asked: the capture's depth is sent
        }

        public async Task RunAsync(CancellationToken stop)
        {
            using var session = CancellationTokenSource.CreateLinkedTokenSource(stop);
            var receive = ReceiveAsync(session.Token);
            try
            {
                long first = frames.Count > 0 ? frames[0].Ns : 0;
                var clock = System.Diagnostics.Stopwatch.StartNew();
                int delta = 0;
                foreach (var (ns, topic, text) in frames)
                {
                    if (session.IsCancellationRequested || socket.State != WebSocketState.Open) return;
                    double due = (ns - first) / 1e6 / dialect.Speed;
                    double wait = due - clock.Elapsed.TotalMilliseconds;
                    if (wait > 1) await Task.Delay(TimeSpan.FromMilliseconds(wait), session.Token);
                    // Snapshots asked for by (re)subscriptions go out here, in order with the frames they precede.
                    while (_snapshotsDue.TryDequeue(out var symbolDue))
                        if (Snapshot(symbolDue) is { } snap) await Send(snap, session.Token);
                    bool skip = false;
                    if (topic.StartsWith("orderbook.", StringComparison.Ordinal))
                    {
                        bool isDelta = Apply(topic, text);
                        if (isDelta && delta++ == dialect.DropDelta) skip = true;
                    }
                    lock (_topics) if (!Subscribed(topic)) skip = true;
                    if (!skip) await Send(text, session.Token);
                }
                dialect._played.TrySetResult();
                await receive; // stay connected until the client leaves
            }
            catch (OperationCanceledException) { }
            catch (WebSocketException) { }
            finally { session.Cancel(); }
        }

        /// <summary>Plays a book frame into the dialect's book; true for a delta.</summary>
        private bool Apply(string topic, string text)
        {
            using var doc = JsonDocument.Parse(text);
            var root = doc.RootElement;
            var data = root.GetProperty("data");
            string symbol = SymbolOfBook(topic);
            lock (_books)
            {
                if (!_books.TryGetValue(symbol, out var book)) _books[symbol] = book = new Book();
                bool snapshot = root.GetProperty("type").GetString() == "snapshot";
                if (snapshot) { book.Bids.Clear(); book.Asks.Clear(); book.Known = true; }
                foreach (var (side, levels) in new[] { ("b", book.Bids), ("a", book.Asks) })
                    foreach (var level in data.GetProperty(side).EnumerateArray())
                    {
                        string p = level[0].GetString()!, q = level[1].GetString()!;
                        decimal key = decimal.Parse(p, CultureInfo.InvariantCulture);
                        if (decimal.Parse(q, CultureInfo.InvariantCulture) == 0) levels.Remove(key); else levels[key] = (p, q);
                    }
                book.U = data.GetProperty("u").GetInt64();
                book.Seq = data.TryGetProperty("seq", out var seq) ? seq.GetInt64() : 0;
                book.Ts = root.GetProperty("ts").GetInt64();
                book.Cts = root.TryGetProperty("cts", out var cts) ? cts.GetInt64() : book.Ts;
                return !snapshot;
            }
        }

        private string? Snapshot(string symbol)
        {
            lock (_books)
            {
                if (!_books.TryGetValue(symbol, out var b) || !b.Known) return null;
                static string Levels(IEnumerable<(string P, string Q)> l) => string.Join(",", l.Select(x => $"[\"{x.P}\",\"{x.Q}\"]"));
                return $$"""{"topic":"orderbook.200.{{symbol}}","type":"snapshot","ts":{{b.Ts}},"data":{"s":"{{symbol}}","b":[{{Levels(b.Bids.Values)}}],"a":[{{Levels(b.Asks.Values)}}],"u":{{b.U}},"seq":{{b.Seq}}},"cts":{{b.Cts}}}""";
            }
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
                    using var doc = JsonDocument.Parse(buffer.AsMemory(0, r.Count));
                    string op = doc.RootElement.TryGetProperty("op", out var o) ? o.GetString() ?? "" : "";
                    var args = doc.RootElement.TryGetProperty("args", out var a) ? a.EnumerateArray().Select(x => x.GetString()!).ToList() : [];
                    if (op == "ping") { await Send("""{"success":true,"ret_msg":"pong","conn_id":"sim","op":"ping"}""", cancel); continue; }
                    if (op is not ("subscribe" or "unsubscribe")) continue;
                    lock (_topics) foreach (var t in args) { if (op == "subscribe") _topics.Add(t); else _topics.Remove(t); }
                    await Send($$"""{"success":true,"ret_msg":"","conn_id":"sim","req_id":"","op":"{{op}}"}""", cancel);
                    if (op != "subscribe") continue;
                    foreach (var t in args)
                    {
                        string symbol = SymbolOfBook(t);
                        if (symbol.Length == 0) continue;
                        Interlocked.Increment(ref dialect._bookSubscriptions);
                        _snapshotsDue.Enqueue(symbol); // a book subscribed mid-stream starts from a snapshot
                    }
                }
            }
            catch (OperationCanceledException) { }
            catch (WebSocketException) { }
        }

        private async Task Send(string text, CancellationToken cancel)
        {
            await _send.WaitAsync(cancel);
            try { await socket.SendAsync(Encoding.UTF8.GetBytes(text), WebSocketMessageType.Text, true, cancel); }
            finally { _send.Release(); }
        }
    }
}
