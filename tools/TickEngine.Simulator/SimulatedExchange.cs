using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json;
using TickEngine.Engine.Book;
using TickEngine.Simulator.Dialects;
using TickEngine.Simulator.Faults;
using TickEngine.Simulator.Market;
using TickEngine.Storage.Format;
using TickEngine.Storage.Numerics;

namespace TickEngine.Simulator;

/// <summary>
/// A Binance-like exchange on loopback: plays a market (<see cref="IMarketSource"/>) to every subscribed WebSocket
/// session, keeps its own book per symbol from the diffs it sends, serves REST depth snapshots of that book, and
/// injects faults on demand. The market waits for slow sessions (bounded queues): nothing is dropped unless a
/// fault says so. Thread-safe.
/// </summary>
public sealed class SimulatedExchange
{
    private readonly IMarketSource _source;
    private readonly SimulatorOptions _options;
    private readonly ConcurrentDictionary<Session, byte> _sessions = new();
    private readonly Dictionary<string, SymbolBook> _books = new();
    private readonly object _bookGate = new();
    private readonly ConcurrentQueue<(FaultKind Kind, int Value)> _faults = new();
    private readonly TaskCompletionSource _firstSubscriber = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int _rest429, _rest500, _skip, _duplicate, _reorder;
    private long _framesSent;

    private sealed class SymbolBook
    {
        public readonly OrderBook Book = new();
        public bool Known;
        public TaskCompletionSource Ready = new(TaskCreationOptions.RunContinuationsAsynchronously);
        /// <summary>Set when a REST depth request arrives before the book is known.</summary>
        public TaskCompletionSource Requested = new(TaskCreationOptions.RunContinuationsAsynchronously);
        /// <summary>The recorded snapshot, for requests that were waiting when the market reached it.</summary>
        public byte[]? Recorded;
        /// <summary>Diffs sent before the book was known (one of them may end past the recorded snapshot).</summary>
        public readonly List<MarketFrame> Early = new();
        /// <summary>The book the recording starts from (after the snapshot and the diffs that bracket it).</summary>
        public (BookSide Side, long Price, long Qty)[] Start = [];
    }

    public SimulatedExchange(IMarketSource source, SimulatorOptions options)
    {
        _source = source;
        _options = options;
        _pacer = new TickEngine.Engine.Replay.Pacer(options.Speed);
        foreach (var s in source.Symbols) _books[s] = new SymbolBook();
    }

    public IReadOnlyList<string> Symbols => _source.Symbols;
    /// <summary>Market frames queued for sessions (each counted once, however many sessions take it).</summary>
    public long FramesSent => Interlocked.Read(ref _framesSent);

    /// <summary>Frames written to sockets, over all sessions (open and closed).</summary>
    public long FramesDelivered => Interlocked.Read(ref _deliveredClosed) + _sessions.Keys.Sum(s => Interlocked.Read(ref s.Sent));

    /// <summary>
    /// Called (on the market's thread) for every frame queued to sessions, with the time the market's schedule
    /// meant it to go out (nanoseconds on <see cref="TickEngine.Engine.Live.Clock"/>): measurements taken from it
    /// are not fooled by a stalled market (coordinated omission).
    /// </summary>
    public Action<MarketFrame, long>? Sent { get; set; }

    /// <summary>Called (on the market's thread) when the market reaches a recorded REST snapshot and loads it.</summary>
    public Action<SnapshotItem>? SnapshotLoaded { get; set; }

    private readonly TickEngine.Engine.Replay.Pacer _pacer;

    /// <summary>Frames waiting in session queues.</summary>
    public long FramesQueued => _sessions.Keys.Sum(s => (long)s.Queue.Reader.Count);

    private long _deliveredClosed;
    private readonly CancellationTokenSource _marketStop = new();

    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, int> _apiKeys = new();

    /// <summary>REST requests that carried an X-MBX-APIKEY header, by key (a test checks the recorder sends one).</summary>
    public IReadOnlyDictionary<string, int> ApiKeysSeen => _apiKeys;

    internal void SawApiKey(string key) => _apiKeys.AddOrUpdate(key, 1, (_, n) => n + 1);

    /// <summary>Stops the market (no new frames); connections stay open and their queues drain.</summary>
    public void StopMarket() => _marketStop.Cancel();
    public int Sessions => _sessions.Count;

    /// <summary>True when the market has played every item (a source that does not loop).</summary>
    public bool Finished { get; private set; }

    /// <summary>Injects a fault; <paramref name="value"/> is a count (REST faults) or milliseconds (stall).</summary>
    public void Inject(FaultKind kind, int value = 1)
    {
        switch (kind)
        {
            case FaultKind.Rest429: Interlocked.Add(ref _rest429, Math.Max(1, value)); break;
            case FaultKind.Rest500: Interlocked.Add(ref _rest500, Math.Max(1, value)); break;
            case FaultKind.SkipUpdateId: Interlocked.Add(ref _skip, Math.Max(1, value)); break;
            case FaultKind.Duplicate: Interlocked.Add(ref _duplicate, Math.Max(1, value)); break;
            case FaultKind.Reorder: Interlocked.Add(ref _reorder, Math.Max(1, value)); break;
            default: _faults.Enqueue((kind, value)); break;
        }
    }

    /// <summary>Plays the market until the source ends or <paramref name="cancel"/>.</summary>
    public async Task RunAsync(CancellationToken outer)
    {
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(outer, _marketStop.Token);
        var cancel = linked.Token;
        if (_options.WaitForSubscriber) await _firstSubscriber.Task.WaitAsync(cancel);
        MarketFrame? held = null;
        try
        {
            foreach (var item in _source.Items(cancel))
            {
                await _pacer.WaitAsync(item.TimeNs, cancel);
                await ApplyFaultsAsync(cancel);
                switch (item)
                {
                    case SnapshotItem snap:
                        // The recording fetched this snapshot: hold the market here until a client asks for one
                        // (briefly), so that the client gets it at the same point of the stream.
                        if (snap.Recorded && _options.HoldAtRecordedSnapshot && _books.TryGetValue(snap.Symbol, out var held0))
                        {
                            try { await held0.Requested.Task.WaitAsync(_options.SnapshotHold, cancel); }
                            catch (TimeoutException) { }
                        }
                        LoadSnapshot(snap);
                        break;
                    case ResetItem reset:
                        foreach (var frame in ResetFrames(reset)) { ApplyDiff(frame); await SendAsync(frame, cancel); }
                        break;
                    case FrameItem f:
                    {
                        var frame = f.Frame;
                        if (frame.Kind == FrameKind.DepthDiff)
                        {
                            ApplyDiff(frame);
                            if (TakeOne(ref _skip)) continue;
                            if (held is not null)
                            {
                                await SendAsync(frame, cancel);
                                await SendAsync(held, cancel);
                                held = null;
                                continue;
                            }
                            if (TakeOne(ref _reorder)) { held = frame; continue; }
                            await SendAsync(frame, cancel);
                            if (TakeOne(ref _duplicate)) await SendAsync(frame, cancel);
                            continue;
                        }
                        if (f.FromBook) frame = TickerFromBook(frame);
                        if (frame is not null) await SendAsync(frame, cancel);
                        break;
                    }
                }
            }
            if (held is not null) await SendAsync(held, cancel);
            Finished = true;
        }
        catch (OperationCanceledException) when (cancel.IsCancellationRequested)
        {
        }
    }

    /// <summary>True once <see cref="RunAsync"/> was stopped by <see cref="StopMarket"/>.</summary>
    public bool MarketStopped => _marketStop.IsCancellationRequested;

    /// <summary>Handles one WebSocket connection: <paramref name="streams"/> from the URL, then live SUBSCRIBE messages.</summary>
    public async Task ServeAsync(WebSocket socket, IEnumerable<string> streams, bool combined, CancellationToken cancel)
    {
        var session = new Session(socket, combined, _options.SessionQueue);
        session.Subscribe(streams);
        _sessions[session] = 0;
        if (session.HasSubscriptions) _firstSubscriber.TrySetResult();
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancel);
        var sender = session.SendLoopAsync(stop.Token);
        try
        {
            var buffer = new byte[_options.MaxClientMessageBytes];
            while (socket.State == WebSocketState.Open)
            {
                int length = 0;
                ValueWebSocketReceiveResult r;
                do
                {
                    if (length == buffer.Length) { await socket.CloseOutputAsync(WebSocketCloseStatus.MessageTooBig, "message too big", cancel); return; }
                    r = await socket.ReceiveAsync(buffer.AsMemory(length), cancel);
                    length += r.Count;
                }
                while (!r.EndOfMessage && r.MessageType != WebSocketMessageType.Close);
                if (r.MessageType == WebSocketMessageType.Close) break;
                var reply = Control(session, buffer.AsSpan(0, length));
                if (reply is not null) await session.Queue.Writer.WriteAsync(reply, cancel);
                if (session.HasSubscriptions) _firstSubscriber.TrySetResult();
            }
        }
        catch (WebSocketException) { }
        catch (OperationCanceledException) { }
        finally
        {
            if (_sessions.TryRemove(session, out _)) Interlocked.Add(ref _deliveredClosed, Interlocked.Read(ref session.Sent));
            session.Queue.Writer.TryComplete();
            stop.Cancel();
            try { await sender; } catch (Exception) { /* the connection is gone */ }
        }
    }

    /// <summary>A REST depth snapshot of the exchange's book: (status, body, retry-after seconds).</summary>
    public async Task<(int Status, string Body, int RetryAfter)> DepthAsync(string? symbol, int limit, CancellationToken cancel)
    {
        if (TakeOne(ref _rest429)) return (429, BinanceProtocol.TooManyRequests, 1);
        if (TakeOne(ref _rest500)) return (500, BinanceProtocol.ServerError, 0);
        if (symbol is null || !_books.TryGetValue(symbol.ToUpperInvariant(), out var b)) return (400, BinanceProtocol.InvalidSymbol, 0);
        if (!b.Ready.Task.IsCompleted)
        {
            b.Requested.TrySetResult();
            // In flight when the market reaches its recorded snapshot: answered with that snapshot, as recorded.
            try { await b.Ready.Task.WaitAsync(TimeSpan.FromSeconds(60), cancel); }
            catch (TimeoutException) { return (503, BinanceProtocol.BookNotReady, 1); }
            if (b.Recorded is { } recorded) return (200, Encoding.UTF8.GetString(recorded), 0);
        }
        limit = Math.Clamp(limit <= 0 ? 100 : limit, 1, 5000);
        lock (_bookGate) return (200, BinanceProtocol.Depth(b.Book, limit, _source.Scale), 0);
    }

    public string ExchangeInfo() => BinanceProtocol.ExchangeInfo(_source.Symbols);

    private static byte[] Control(Session session, ReadOnlySpan<byte> message) =>
        BinanceProtocol.Control(message, session.Subscribe, session.Unsubscribe, () => session.Subscriptions);

    private async Task SendAsync(MarketFrame frame, CancellationToken cancel)
    {
        if (Sent is { } sent)
        {
            // When late, the schedule's time (the delay counts: no coordinated omission); when early (it paces
            // to within a millisecond), the actual time.
            long now = TickEngine.Engine.Live.Clock.NowNs();
            long intended = _options.Speed > 0 ? _pacer.Due(frame.TimeNs) : now;
            sent(frame, Math.Min(intended, now));
        }
        string key = StreamKey.Of(frame.Stream);
        foreach (var s in _sessions.Keys)
        {
            if (!s.Wants(key)) continue;
            try { await s.Queue.Writer.WriteAsync(s.Combined ? frame.Combined : frame.Raw, cancel); }
            catch (System.Threading.Channels.ChannelClosedException) { _sessions.TryRemove(s, out _); }
        }
        Interlocked.Increment(ref _framesSent);
    }

    private async Task BroadcastAsync(byte[] bytes, CancellationToken cancel, bool binary = false)
    {
        foreach (var s in _sessions.Keys)
        {
            try { await s.Queue.Writer.WriteAsync(new Outgoing(bytes, binary), cancel); }
            catch (System.Threading.Channels.ChannelClosedException) { _sessions.TryRemove(s, out _); }
        }
    }

    private async Task ApplyFaultsAsync(CancellationToken cancel)
    {
        while (_faults.TryDequeue(out var fault))
        {
            switch (fault.Kind)
            {
                case FaultKind.Drop:
                    foreach (var s in _sessions.Keys) s.Abort();
                    break;
                case FaultKind.Stall:
                    await Task.Delay(Math.Max(1, fault.Value), cancel);
                    break;
                case FaultKind.Malformed:
                    await BroadcastAsync(BinanceProtocol.Malformed(), cancel);
                    break;
                case FaultKind.Binary:
                    await BroadcastAsync(BinanceProtocol.Binary(), cancel, binary: true);
                    break;
                case FaultKind.Oversize:
                    await BroadcastAsync(BinanceProtocol.Oversize(fault.Value > 1 ? fault.Value : 17 << 20), cancel);
                    break;
                case FaultKind.ServerShutdown:
                    long ms = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
                    await BroadcastAsync(BinanceProtocol.ServerShutdown(ms), cancel);
                    await Task.Delay(100, cancel);
                    foreach (var s in _sessions.Keys) await s.CloseAsync();
                    break;
            }
        }
    }

    private void LoadSnapshot(SnapshotItem snap)
    {
        if (!_books.TryGetValue(snap.Symbol, out var b)) return;
        lock (_bookGate)
        {
            BinanceProtocol.ReadSnapshot(snap.Body, b.Book, _source.Scale);
            b.Known = true;
            b.Recorded = snap.Body;
        }
        if (snap.Recorded) SnapshotLoaded?.Invoke(snap);
        // Diffs sent before the snapshot that end past it belong to the book too.
        foreach (var early in b.Early) ApplyDiff(early);
        b.Early.Clear();
        lock (_bookGate) b.Start = Levels(b.Book);
        b.Ready.TrySetResult();
    }

    private void ApplyDiff(MarketFrame frame)
    {
        if (!_books.TryGetValue(frame.Symbol, out var b)) return;
        if (!b.Known)
        {
            if (b.Early.Count >= 10_000) b.Early.RemoveAt(0);
            b.Early.Add(frame);
            return;
        }
        if (frame.LastUpdateId <= b.Book.UpdateId) return;
        lock (_bookGate)
        {
            BinanceProtocol.ReadDiff(frame.Raw, b.Book, _source.Scale);
            b.Book.UpdateId = frame.LastUpdateId;
        }
    }

    private static (BookSide, long, long)[] Levels(OrderBook book)
    {
        var list = new List<(BookSide, long, long)>();
        foreach (var side in new[] { BookSide.Bid, BookSide.Ask })
        {
            int n = side == BookSide.Bid ? book.BidCount : book.AskCount;
            var p = new long[n];
            var q = new long[n];
            n = book.CopyTop(side, p, q);
            for (int i = 0; i < n; i++) list.Add((side, p[i], q[i]));
        }
        return list.ToArray();
    }

    /// <summary>One diff per symbol taking its book back to the recorded start (levels not in it go to 0).</summary>
    private List<MarketFrame> ResetFrames(ResetItem reset)
    {
        var frames = new List<MarketFrame>();
        foreach (var (symbol, b) in _books)
        {
            if (!b.Known) continue;
            string stream = symbol.ToLowerInvariant() + "@depth@100ms";
            byte[] raw;
            lock (_bookGate)
            {
                var target = b.Start.ToDictionary(l => (l.Side, l.Price), l => l.Qty);
                var changes = new List<(BookSide Side, long Price, long Qty)>();
                foreach (var (side, price, qty) in Levels(b.Book))
                    if (!target.ContainsKey((side, price))) changes.Add((side, price, 0));
                foreach (var ((side, price), qty) in target)
                    if (b.Book.QuantityAt(side, price) != qty) changes.Add((side, price, qty));
                raw = BinanceProtocol.Diff(symbol, reset.UpdateId, reset.EventTimeMs, changes, _source.Scale);
            }
            frames.Add(new MarketFrame(reset.TimeNs, stream, FrameKind.DepthDiff, symbol, FrameRewriter.Wrap(stream, raw), raw, reset.UpdateId, reset.UpdateId));
        }
        return frames;
    }

    private MarketFrame? TickerFromBook(MarketFrame frame)
    {
        if (!_books.TryGetValue(frame.Symbol, out var b) || !b.Known) return null;
        byte[] bytes;
        lock (_bookGate)
        {
            if (!b.Book.TryBestBid(out long bp, out long bq) || !b.Book.TryBestAsk(out long ap, out long aq)) return null;
            bytes = BinanceProtocol.BookTicker(frame.Symbol, b.Book.UpdateId, bp, bq, ap, aq, _source.Scale);
        }
        return frame with { Raw = bytes, Combined = FrameRewriter.Wrap(frame.Stream, bytes) };
    }

    private static bool TakeOne(ref int counter)
    {
        while (true)
        {
            int c = Volatile.Read(ref counter);
            if (c <= 0) return false;
            if (Interlocked.CompareExchange(ref counter, c - 1, c) == c) return true;
        }
    }
}
