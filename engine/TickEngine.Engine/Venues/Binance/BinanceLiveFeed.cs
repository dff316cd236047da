using System.Buffers;
using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.WebSockets;
using System.Threading.Channels;
using TickEngine.Engine.Ingest;
using TickEngine.Engine.Live;

namespace TickEngine.Engine.Venues.Binance;

/// <summary>
/// Binance market data over WebSockets into a <see cref="FramePipe"/>: combined streams (lower-case names, at most
/// 1,024 a connection; on futures, depth and bookTicker on the /public route and trades on /market) as connection
/// plans of the venue-neutral <see cref="WebSocketFeed"/> (reconnection with exponential backoff and jitter, a
/// watchdog for silent connections, a reconnect before the 24-hour cut and on <c>serverShutdown</c>), and REST depth snapshots over
/// <see cref="HttpClient"/> with request-weight accounting and Retry-After. After every (re)connect the books are
/// resynced from fresh snapshots; the adapter records the disconnect and drops what arrives twice.
/// </summary>
public sealed class BinanceLiveFeed : ISnapshotRequester, ILiveFeed
{
    private readonly LiveOptions _options;
    private readonly BinanceEndpoints _endpoints;
    private readonly FramePipe _pipe;
    private readonly byte _source;
    private readonly HttpClient _http;
    private readonly Channel<string> _snapshotRequests = Channel.CreateUnbounded<string>(new UnboundedChannelOptions { SingleReader = true });
    private readonly ConcurrentDictionary<string, byte> _pendingSnapshots = new();
    private readonly WebSocketFeed _ws;
    private readonly HashSet<string> _depthSymbols;
    private readonly string[] _symbols;
    private long _restErrors;

    /// <summary>Registers the feed's symbols, so their instruments exist before the first frame.</summary>
    public void Register(InstrumentRegistry registry, string exchange)
    {
        foreach (var s in _symbols) registry.GetOrAdd(exchange, s);
    }

    /// <param name="symbols">Upper-case symbols, e.g. BTCUSDT.</param>
    /// <param name="trades">Subscribe to trades (spot @trade, futures @aggTrade).</param>
    /// <param name="books">Subscribe to diff depth and bookTicker (books, deltas, L2).</param>
    /// <param name="futures">USD-M futures (its endpoints), or spot.</param>
    /// <param name="quotes">Subscribe to bookTicker (quotes) even without books.</param>
    /// <param name="funding">Futures: subscribe to markPrice@1s (funding rate, mark and index price).</param>
    public BinanceLiveFeed(LiveOptions options, bool futures, IReadOnlyList<string> symbols, bool trades, bool books, FramePipe pipe, HttpClient? http = null, byte source = 0,
        bool quotes = false, bool funding = false)
    {
        _source = source;
        _symbols = symbols.ToArray();
        _options = options;
        var endpoints = _endpoints = BinanceEndpoints.Of(futures).At(options.VenueBase, options.RestBase);
        _pipe = pipe;
        _http = http ?? new HttpClient { Timeout = TimeSpan.FromSeconds(10) };
        var bookStreams = new List<string>();
        var tradeStreams = new List<string>();
        foreach (var s in symbols)
        {
            string lower = s.ToLowerInvariant();
            if (books) bookStreams.Add(lower + "@depth@100ms");
            if (books || quotes) bookStreams.Add(lower + "@bookTicker");
            if (trades) tradeStreams.Add(lower + (futures ? "@aggTrade" : "@trade"));
            if (funding && futures) tradeStreams.Add(lower + "@markPrice@1s"); // the /market route on futures
        }
        _depthSymbols = books ? symbols.ToHashSet() : [];
        var groups = new List<(Uri Base, List<string> Streams)>();
        if (endpoints.MarketWebSocketBase is { } market)
        {
            groups.Add((endpoints.WebSocketBase, bookStreams));
            groups.Add((market, tradeStreams));
        }
        else groups.Add((endpoints.WebSocketBase, bookStreams.Concat(tradeStreams).ToList()));
        // Combined streams on the shared connection: the streams are in the URL (nothing to subscribe, no
        // application ping); after every connect the books the connection carries ask for fresh REST snapshots
        // (buffer diffs now, snapshot after: the documented order); serverShutdown means reconnect at once.
        var plans = new List<ConnectionPlan>();
        foreach (var (b, streams) in groups)
            for (int i = 0; i < streams.Count; i += endpoints.MaxStreamsPerConnection)
            {
                var chunk = streams.Skip(i).Take(endpoints.MaxStreamsPerConnection).ToList();
                var depth = chunk.Where(x => x.Contains("@depth", StringComparison.Ordinal)).Select(x => x[..x.IndexOf('@')].ToUpperInvariant()).Distinct().ToArray();
                plans.Add(new ConnectionPlan(new Uri($"{b.ToString().TrimEnd('/')}/stream?streams={string.Join('/', chunk)}"), [], null, TimeSpan.Zero, depth)
                {
                    Connected = () => RequestAll(depth),
                    EndsConnection = frame => frame.Span[..Math.Min(frame.Length, 64)].IndexOf("serverShutdown"u8) >= 0,
                    Streams = chunk,
                });
            }
        _ws = new WebSocketFeed(options, plans, pipe, source);
    }

    /// <summary>The endpoints this feed connects to.</summary>
    public BinanceEndpoints Endpoints => _endpoints;

    public IReadOnlyList<ILiveConnection> Connections => _ws.Connections;
    public long Reconnects => _ws.Reconnects;
    public long RestErrors => Interlocked.Read(ref _restErrors);
    public long OversizeFrames => _ws.OversizeFrames;

    /// <summary>Binary WebSocket messages received (Binance sends text only): counted, sampled, never parsed.</summary>
    public long BinaryFrames => _ws.BinaryFrames;

    /// <summary>The largest receive buffer any connection grew to (bounded by the frame pipe's maximum frame size, as rented).</summary>
    public long LargestReceiveBuffer => _ws.LargestReceiveBuffer;

    /// <summary>Runs every connection and the snapshot fetcher until <paramref name="cancel"/>.</summary>
    public async Task RunAsync(CancellationToken cancel)
    {
        await Task.WhenAll(_ws.RunAsync(cancel), FetchSnapshotsAsync(cancel));
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
                int weight = _endpoints.DepthWeight(_endpoints.SnapshotLimit);
                while (true)
                {
                    long now = Environment.TickCount64;
                    if (now - windowStart >= 60_000) { windowStart = now; used = 0; }
                    if (used + weight <= _endpoints.RestWeightPerMinute) break;
                    await Task.Delay(TimeSpan.FromMilliseconds(60_000 - (now - windowStart) + 10), cancel);
                }
                used += weight;
                string url = $"{_endpoints.RestBase.ToString().TrimEnd('/')}{_endpoints.DepthPath}?symbol={symbol}&limit={_endpoints.SnapshotLimit}";
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
}
