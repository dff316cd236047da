using System.Buffers;
using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.WebSockets;
using System.Threading.Channels;
using TickEngine.Engine.Ingest;

namespace TickEngine.Engine.Live;

/// <summary>
/// Binance market data over WebSockets (<see cref="ClientWebSocket"/>) into a <see cref="FramePipe"/>: combined
/// streams (lower-case names, at most 1,024 a connection; on futures, depth and bookTicker on the /public route and
/// trades on /market), reconnection with exponential backoff and jitter, a watchdog for silent connections, a
/// reconnect before the 24-hour cut and on <c>serverShutdown</c>, and REST depth snapshots over
/// <see cref="HttpClient"/> with request-weight accounting and Retry-After. After every (re)connect the books are
/// resynced from fresh snapshots; the adapter records the disconnect and drops what arrives twice.
/// </summary>
public sealed class BinanceLiveFeed : ISnapshotRequester, ILiveFeed
{
    private readonly LiveOptions _options;
    private readonly FramePipe _pipe;
    private readonly byte _source;
    private readonly HttpClient _http;
    private readonly Channel<string> _snapshotRequests = Channel.CreateUnbounded<string>(new UnboundedChannelOptions { SingleReader = true });
    private readonly ConcurrentDictionary<string, byte> _pendingSnapshots = new();
    private readonly List<Connection> _connections = new();
    private readonly HashSet<string> _depthSymbols;
    private long _reconnects;
    private long _restErrors;
    private long _oversize;
    private long _binary;
    private long _largestBuffer;

    /// <param name="symbols">Upper-case symbols, e.g. BTCUSDT.</param>
    /// <param name="trades">Subscribe to trades (spot @trade, futures @aggTrade).</param>
    /// <param name="books">Subscribe to diff depth and bookTicker (books, deltas, L2).</param>
    public BinanceLiveFeed(LiveOptions options, IReadOnlyList<string> symbols, bool trades, bool books, FramePipe pipe, HttpClient? http = null, byte source = 0)
    {
        _source = source;
        _options = options;
        _pipe = pipe;
        _http = http ?? new HttpClient { Timeout = TimeSpan.FromSeconds(10) };
        bool futures = options.DepthPath.StartsWith("/fapi", StringComparison.Ordinal);
        var bookStreams = new List<string>();
        var tradeStreams = new List<string>();
        foreach (var s in symbols)
        {
            string lower = s.ToLowerInvariant();
            if (books) { bookStreams.Add(lower + "@depth@100ms"); bookStreams.Add(lower + "@bookTicker"); }
            if (trades) tradeStreams.Add(lower + (futures ? "@aggTrade" : "@trade"));
        }
        _depthSymbols = books ? symbols.ToHashSet() : [];
        var groups = new List<(Uri Base, List<string> Streams)>();
        if (options.MarketWebSocketBase is { } market)
        {
            groups.Add((options.WebSocketBase, bookStreams));
            groups.Add((market, tradeStreams));
        }
        else groups.Add((options.WebSocketBase, bookStreams.Concat(tradeStreams).ToList()));
        foreach (var (b, streams) in groups)
            for (int i = 0; i < streams.Count; i += options.MaxStreamsPerConnection)
                _connections.Add(new Connection(this, b, streams.Skip(i).Take(options.MaxStreamsPerConnection).ToList()));
    }

    public IReadOnlyList<Connection> Connections => _connections;
    IReadOnlyList<ILiveConnection> ILiveFeed.Connections => _connections;
    public long Reconnects => Interlocked.Read(ref _reconnects);
    public long RestErrors => Interlocked.Read(ref _restErrors);
    public long OversizeFrames => Interlocked.Read(ref _oversize);

    /// <summary>Binary WebSocket messages received (Binance sends text only): counted, sampled, never parsed.</summary>
    public long BinaryFrames => Interlocked.Read(ref _binary);

    /// <summary>The largest receive buffer any connection grew to (bounded by the frame pipe's maximum frame size, as rented).</summary>
    public long LargestReceiveBuffer => Interlocked.Read(ref _largestBuffer);

    /// <summary>Runs every connection and the snapshot fetcher until <paramref name="cancel"/>.</summary>
    public async Task RunAsync(CancellationToken cancel)
    {
        var tasks = _connections.Select(c => c.RunAsync(cancel)).ToList();
        tasks.Add(FetchSnapshotsAsync(cancel));
        await Task.WhenAll(tasks);
    }

    /// <summary>Called by the book sync (producer thread) when a book needs a fresh snapshot.</summary>
    public void Request(Instrument instrument)
    {
        if (_pendingSnapshots.TryAdd(instrument.Symbol, 0)) _snapshotRequests.Writer.TryWrite(instrument.Symbol);
    }

    private void RequestAll(IEnumerable<string> symbols)
    {
        foreach (var s in symbols)
            if (_depthSymbols.Contains(s) && _pendingSnapshots.TryAdd(s, 0)) _snapshotRequests.Writer.TryWrite(s);
    }

    private async Task FetchSnapshotsAsync(CancellationToken cancel)
    {
        long windowStart = Environment.TickCount64;
        int used = 0;
        var backoff = _options.BackoffInitial;
        try
        {
            await foreach (var symbol in _snapshotRequests.Reader.ReadAllAsync(cancel))
            {
                int weight = _options.DepthWeight(_options.SnapshotLimit);
                while (true)
                {
                    long now = Environment.TickCount64;
                    if (now - windowStart >= 60_000) { windowStart = now; used = 0; }
                    if (used + weight <= _options.RestWeightPerMinute) break;
                    await Task.Delay(TimeSpan.FromMilliseconds(60_000 - (now - windowStart) + 10), cancel);
                }
                used += weight;
                string url = $"{_options.RestBase.ToString().TrimEnd('/')}{_options.DepthPath}?symbol={symbol}&limit={_options.SnapshotLimit}";
                TimeSpan? retry = null;
                try
                {
                    using var request = new HttpRequestMessage(HttpMethod.Get, url);
                    if (_options.ApiKey is { } key) request.Headers.TryAddWithoutValidation("X-MBX-APIKEY", key.Reveal());
                    using var response = await _http.SendAsync(request, cancel);
                    if (response.StatusCode == HttpStatusCode.OK)
                    {
                        var body = await response.Content.ReadAsByteArrayAsync(cancel);
                        _pendingSnapshots.TryRemove(symbol, out _);
                        await _pipe.WriteAsync(FramePipe.RecordKind.Rest, body, Clock.NowNs(), url, cancel, _source);
                        backoff = _options.BackoffInitial;
                        continue;
                    }
                    Interlocked.Increment(ref _restErrors);
                    retry = response.Headers.RetryAfter?.Delta ?? ((int)response.StatusCode is 429 or 418 ? TimeSpan.FromSeconds(1) : null);
                }
                catch (HttpRequestException) { Interlocked.Increment(ref _restErrors); }
                catch (TaskCanceledException) when (!cancel.IsCancellationRequested) { Interlocked.Increment(ref _restErrors); }
                // Failed: wait (Retry-After, or backoff with jitter) and ask again.
                var wait = retry ?? Jitter(backoff);
                backoff = TimeSpan.FromTicks(Math.Min(_options.BackoffMax.Ticks, backoff.Ticks * 2));
                await Task.Delay(wait, cancel);
                _snapshotRequests.Writer.TryWrite(symbol);
            }
        }
        catch (OperationCanceledException) { }
    }

    private static TimeSpan Jitter(TimeSpan t) => TimeSpan.FromTicks((long)(t.Ticks * (0.5 + Random.Shared.NextDouble() * 0.5)));

    public void Dispose() => _http.Dispose();

    /// <summary>One WebSocket connection and its reconnect loop.</summary>
    public sealed class Connection : ILiveConnection
    {
        private readonly MessageBuffer _buffer = new();

        private readonly BinanceLiveFeed _feed;
        private readonly Uri _uri;
        private volatile ConnectionState _state = ConnectionState.Disconnected;
        private long _messages;

        internal Connection(BinanceLiveFeed feed, Uri baseUri, List<string> streams)
        {
            _feed = feed;
            Streams = streams;
            // The books whose diffs this connection carries: only they are resynced (or invalidated) with it.
            DepthSymbols = streams.Where(x => x.Contains("@depth", StringComparison.Ordinal)).Select(x => x[..x.IndexOf('@')].ToUpperInvariant()).Distinct().ToArray();
            _uri = new Uri($"{baseUri.ToString().TrimEnd('/')}/stream?streams={string.Join('/', streams)}");
        }

        public IReadOnlyList<string> Streams { get; }
        public IReadOnlyList<string> DepthSymbols { get; }
        public ConnectionState State => _state;
        public long Messages => Interlocked.Read(ref _messages);
        public Uri Uri => _uri;

        internal async Task RunAsync(CancellationToken cancel)
        {
            var o = _feed._options;
            int attempt = 0;
            var backoff = o.BackoffInitial;
            _buffer.Rent();
            try
            {
                while (!cancel.IsCancellationRequested)
                {
                    _state = attempt == 0 && _messages == 0 ? ConnectionState.Connecting : ConnectionState.Reconnecting;
                    var started = Stopwatch.StartNew();
                    bool connected = false;
                    using (var ws = new ClientWebSocket())
                    {
                        ws.Options.KeepAliveInterval = TimeSpan.FromSeconds(20); // unsolicited pongs; pings are answered anyway
                        try
                        {
                            using (var connectTimeout = CancellationTokenSource.CreateLinkedTokenSource(cancel))
                            {
                                connectTimeout.CancelAfter(TimeSpan.FromSeconds(10));
                                await ws.ConnectAsync(_uri, connectTimeout.Token);
                            }
                            connected = true;
                            _state = ConnectionState.Connected;
                            if (_messages > 0 || attempt > 0) Interlocked.Increment(ref _feed._reconnects);
                            await _feed._pipe.WriteAsync(FramePipe.RecordKind.Connect, ReadOnlyMemory<byte>.Empty, Clock.NowNs(), null, cancel, _feed._source);
                            _feed.RequestAll(DepthSymbols); // buffer diffs now, snapshot after: the documented order
                            await ReceiveLoopAsync(ws, started, cancel);
                        }
                        catch (OperationCanceledException) when (cancel.IsCancellationRequested) { }
                        catch (Exception e) when (e is WebSocketException or OperationCanceledException or HttpRequestException or IOException) { }
                        if (ws.State == WebSocketState.Open)
                        {
                            try { await ws.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, "bye", CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(2)); }
                            catch (Exception) { /* closing a connection we are leaving anyway */ }
                        }
                    }
                    if (connected)
                    {
                        try { await _feed._pipe.WriteAsync(DepthSymbols.Count > 0 ? FramePipe.RecordKind.Disconnect : FramePipe.RecordKind.DisconnectTradesOnly, ReadOnlyMemory<byte>.Empty, Clock.NowNs(), null, CancellationToken.None, _feed._source); }
                        catch (InvalidOperationException) { /* the pipe is complete: we are stopping */ }
                    }
                    if (cancel.IsCancellationRequested) break;
                    // Backoff with jitter; a connection that lived a while starts the backoff again.
                    if (started.Elapsed > TimeSpan.FromSeconds(60)) { attempt = 0; backoff = o.BackoffInitial; }
                    attempt++;
                    if (o.MaxAttempts > 0 && attempt >= o.MaxAttempts && !connected) { _state = ConnectionState.Failed; return; }
                    _state = ConnectionState.Reconnecting;
                    try { await Task.Delay(Jitter(backoff), cancel); } catch (OperationCanceledException) { break; }
                    backoff = TimeSpan.FromTicks(Math.Min(o.BackoffMax.Ticks, backoff.Ticks * 2));
                }
            }
            finally
            {
                _buffer.Return();
                if (_state != ConnectionState.Failed) _state = ConnectionState.Disconnected;
            }
        }

        /// <summary>Reads messages (into the connection's <see cref="MessageBuffer"/>) until the connection ends or throws.</summary>
        private async Task ReceiveLoopAsync(ClientWebSocket ws, Stopwatch age, CancellationToken cancel)
        {
            var o = _feed._options;
            using var watchdog = CancellationTokenSource.CreateLinkedTokenSource(cancel);
            while (ws.State == WebSocketState.Open)
            {
                watchdog.CancelAfter(o.Watchdog); // silent for too long: the receive is cancelled and we reconnect
                var (length, oversize, type) = await _buffer.ReceiveAsync(ws, _feed._pipe.MaxFrameBytes,
                    size => Interlocked.Exchange(ref _feed._largestBuffer, Math.Max(Interlocked.Read(ref _feed._largestBuffer), size)), watchdog.Token);
                if (type == WebSocketMessageType.Close) break;
                long now = Clock.NowNs();
                Interlocked.Increment(ref _messages);
                if (oversize)
                {
                    Interlocked.Increment(ref _feed._oversize);
                    await _feed._pipe.WriteAsync(FramePipe.RecordKind.Rejected, _buffer.Sample, now, null, cancel, _feed._source, (byte)FramePipe.RejectReason.Oversize);
                    continue;
                }
                if (type == WebSocketMessageType.Binary)
                {
                    // Binance sends text only: counted and sampled, never parsed.
                    Interlocked.Increment(ref _feed._binary);
                    _buffer.KeepSample(_buffer.Buffer.AsSpan(0, length));
                    await _feed._pipe.WriteAsync(FramePipe.RecordKind.Rejected, _buffer.Sample, now, null, cancel, _feed._source, (byte)FramePipe.RejectReason.Binary);
                    continue;
                }
                await _feed._pipe.WriteAsync(FramePipe.RecordKind.Frame, _buffer.Buffer.AsMemory(0, length), now, null, cancel, _feed._source);
                if (_buffer.Buffer.AsSpan(0, Math.Min(length, 64)).IndexOf("serverShutdown"u8) >= 0) break; // reconnect at once
                if (age.Elapsed > o.MaxConnectionAge) break; // before the exchange's 24-hour cut
            }
        }
    }
}
