using TickEngine.Simulator.Dialects.Binance;
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
/// The simulated exchange, in no venue's words: plays one market (<see cref="IMarketSource"/>) to every subscribed
/// WebSocket session (one market, joined where it is, as a real exchange's), paced; keeps its own book per symbol
/// from the frames it sends; sends a fresh snapshot to a session that subscribes a book (venues whose snapshots
/// come in the stream) or serves REST depth snapshots of its book (Binance); and injects faults, on demand or at a
/// frame. The market waits for slow sessions (bounded queues): nothing is dropped unless a fault says so. The
/// venue's <see cref="IExchangeProtocol"/> writes and reads every frame. Thread-safe.
/// </summary>
public sealed class SimulatedExchange
{
    private readonly IMarketSource _source;
    private readonly SimulatorOptions _options;
    private readonly ConcurrentDictionary<Session, byte> _sessions = new();
    private readonly Dictionary<string, ExchangeBook> _books = new();
    private readonly IExchangeProtocol _protocol;
    private readonly IRestSnapshotProtocol? _rest; // a venue whose books start from REST snapshots (Binance)

    /// <summary>The REST side of the venue; only a venue with REST snapshots is served over REST.</summary>
    private IRestSnapshotProtocol Rest => _rest ?? throw new InvalidOperationException("this venue serves no REST depth: its books start from snapshots in the stream");
    private readonly object _bookGate = new();
    private readonly ConcurrentQueue<(FaultKind Kind, int Value)> _faults = new();
    private readonly TaskCompletionSource _firstSubscriber = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int _rest429, _rest500, _skip, _duplicate, _reorder;
    private long _framesSent;

    /// <param name="protocol">The venue's words; Binance's when not given.</param>
    public SimulatedExchange(IMarketSource source, SimulatorOptions options, IExchangeProtocol? protocol = null)
    {
        _source = source;
        _options = options;
        _protocol = protocol ?? new BinanceProtocol();
        _rest = _protocol as IRestSnapshotProtocol;
        _pacer = new TickEngine.Engine.Replay.Pacer(options.Speed);
        foreach (var s in source.Symbols) _books[s] = new ExchangeBook(source.Scale);
    }

    public IExchangeProtocol Protocol => _protocol;

    /// <summary>The book of <paramref name="symbol"/>, made when first seen (market thread).</summary>
    private ExchangeBook BookOf(string symbol)
    {
        lock (_bookGate)
        {
            if (!_books.TryGetValue(symbol, out var b)) _books[symbol] = b = new ExchangeBook(_source.Scale);
            return b;
        }
    }

    /// <summary>Fault: the <c>n</c>-th book delta (from 0) is left out: its ids (or its message number) are lost to clients; -1: never.</summary>
    public int DropDeltaAt { get; init; } = -1;

    /// <summary>
    /// Fault: at this item (from 0) every connection open goes silent for <see cref="StallFor"/> (nothing sent, the
    /// connection left open, what it misses lost to it), while the market goes on for connections opened after; -1: never.
    /// </summary>
    public int StallAt { get; init; } = -1;
    public TimeSpan StallFor { get; init; } = TimeSpan.FromSeconds(3);

    /// <summary>Fault: every connection is cut (aborted) at this item; -1: never.</summary>
    public int DropAt { get; init; } = -1;

    /// <summary>Book subscriptions seen (a resubscription counts again).</summary>
    public int BookSubscriptions => Volatile.Read(ref _bookSubscriptions);
    private int _bookSubscriptions;

    /// <summary>Completes when the market has played every item (a source that does not loop).</summary>
    public Task Played => _played.Task;
    private readonly TaskCompletionSource _played = new(TaskCreationOptions.RunContinuationsAsynchronously);

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

    /// <summary>Plays the market until the source ends or <paramref name="outer"/>.</summary>
    public async Task RunAsync(CancellationToken outer)
    {
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(outer, _marketStop.Token);
        var cancel = linked.Token;
        MarketFrame? held = null;
        try
        {
            if (_options.WaitForSubscriber) await _firstSubscriber.Task.WaitAsync(cancel);
            if (_options.SubscriberGrace > TimeSpan.Zero) await Task.Delay(_options.SubscriberGrace, cancel); // the rest of a subscription sent in several messages
            int index = 0, deltas = 0;
            foreach (var item in _source.Items(cancel))
            {
                await PaceAsync(item.TimeNs, cancel);
                int at = index++;
                if (at == DropAt) foreach (var s in _sessions.Keys) s.Abort();
                if (at == StallAt)
                    foreach (var s in _sessions.Keys) s.SilentUntilNs = TickEngine.Engine.Live.Clock.NowNs() + StallFor.Ticks * 100;
                await ApplyFaultsAsync(cancel);
                await SendSnapshotsDueAsync(cancel);
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
                        if (frame.Kind == FrameKind.PartialDepth && !(_rest is not null)) ApplyStream(frame);
                        if (frame.Kind == FrameKind.DepthDiff)
                        {
                            ApplyDiff(frame);
                            if (TakeOne(ref _skip) || deltas++ == DropDeltaAt)
                            {
                                if (_protocol.Renumbers) await SendAsync(frame, cancel, lost: true); // its message number is used all the same
                                continue;
                            }
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
                        if (f.FromBook) frame = QuoteFromBook(frame);
                        if (frame is not null) await SendAsync(frame, cancel);
                        break;
                    }
                }
            }
            if (held is not null) await SendAsync(held, cancel);
            Finished = true;
            _played.TrySetResult();
            // The market has played everything; a venue that sends snapshots on subscription still answers them.
            while (!(_rest is not null) && !cancel.IsCancellationRequested)
            {
                await SendSnapshotsDueAsync(cancel);
                await Task.Delay(10, cancel);
            }
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
        var session = new Session(socket, combined, _options.SessionQueue, _protocol);
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
                ClientAction action;
                try { action = _protocol.OnClient(buffer.AsSpan(0, length), () => session.Subscriptions); }
                catch (System.Text.Json.JsonException) { continue; } // not the venue's JSON: ignored, as the venues do
                session.Unsubscribe(action.Unsubscribe);
                session.Subscribe(action.Subscribe);
                foreach (var reply in action.Replies) await session.Queue.Writer.WriteAsync(reply, cancel);
                foreach (var symbol in action.Books)
                {
                    Interlocked.Increment(ref _bookSubscriptions);
                    session.SnapshotsDue.Enqueue(symbol);
                }
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
        if (TakeOne(ref _rest429)) return (429, Rest.RestError(429), 1);
        if (TakeOne(ref _rest500)) return (500, Rest.RestError(500), 0);
        ExchangeBook? b = null;
        lock (_bookGate) if (symbol is not null) _books.TryGetValue(symbol.ToUpperInvariant(), out b);
        if (b is null) return (400, Rest.RestError(400), 0);
        if (!b.Ready.Task.IsCompleted)
        {
            // The market starts with its first WebSocket subscriber: until then there is no book to answer with, and a
            // client is told so at once (503, retry in a second) instead of waiting.
            if (_options.WaitForSubscriber && !_firstSubscriber.Task.IsCompleted) return (503, Rest.RestError(503), 1);
            b.Requested.TrySetResult();
            // In flight when the market reaches its recorded snapshot: answered with that snapshot, as recorded.
            try { await b.Ready.Task.WaitAsync(TimeSpan.FromSeconds(10), cancel); }
            catch (TimeoutException) { return (503, Rest.RestError(503), 1); }
            if (b.Recorded is { } recorded) return (200, Encoding.UTF8.GetString(recorded), 0);
        }
        limit = Math.Clamp(limit <= 0 ? 100 : limit, 1, 5000);
        lock (_bookGate) return (200, Rest.RestDepth(b, limit), 0);
    }

    public string ExchangeInfo() => Rest.ExchangeInfo(_source.Symbols);

    /// <summary>
    /// Waits until the item at <paramref name="timeNs"/> is due; a venue that sends snapshots on subscription answers
    /// them meanwhile (within 10 ms), so a quiet market does not hold a resubscription back.
    /// </summary>
    private async Task PaceAsync(long timeNs, CancellationToken cancel)
    {
        if (!(_rest is not null))
            while (true)
            {
                await SendSnapshotsDueAsync(cancel);
                if (_pacer.Speed == 0 || _pacer.Due(timeNs) - TickEngine.Engine.Live.Clock.NowNs() <= 10_000_000) break;
                await Task.Delay(10, cancel);
            }
        await _pacer.WaitAsync(timeNs, cancel);
    }

    /// <summary>Fresh snapshots for the sessions that subscribed a book since the last item, in order with the frames around them.</summary>
    private async Task SendSnapshotsDueAsync(CancellationToken cancel)
    {
        foreach (var s in _sessions.Keys)
            while (s.SnapshotsDue.TryDequeue(out var symbol))
            {
                byte[]? snapshot = null;
                lock (_bookGate)
                    if (_books.TryGetValue(symbol, out var b) && b.Known) snapshot = _protocol.Snapshot(symbol, b);
                if (snapshot is null) continue; // the stream's own snapshot is still to come
                try { await s.Queue.Writer.WriteAsync(snapshot, cancel); }
                catch (System.Threading.Channels.ChannelClosedException) { _sessions.TryRemove(s, out _); }
            }
    }

    /// <summary>A book frame of a venue whose snapshots come in the stream: played into the exchange's books.</summary>
    private void ApplyStream(MarketFrame frame)
    {
        using var doc = System.Text.Json.JsonDocument.Parse(frame.Raw);
        lock (_bookGate) _protocol.ApplyBook(doc.RootElement, BookOf);
    }

    private async Task SendAsync(MarketFrame frame, CancellationToken cancel, bool lost = false)
    {
        if (Sent is { } sent)
        {
            // When late, the schedule's time (the delay counts: no coordinated omission); when early (it paces
            // to within a millisecond), the actual time.
            long now = TickEngine.Engine.Live.Clock.NowNs();
            long intended = _options.Speed > 0 ? _pacer.Due(frame.TimeNs) : now;
            sent(frame, Math.Min(intended, now));
        }
        string key = _protocol.Key(frame.Stream);
        foreach (var s in _sessions.Keys)
        {
            if (!s.Wants(key) || s.Silent) continue;
            try { await s.Queue.Writer.WriteAsync(new Outgoing(s.Combined ? frame.Combined : frame.Raw, Lost: lost), cancel); }
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
                    await BroadcastAsync(_protocol.Malformed(), cancel);
                    break;
                case FaultKind.Binary:
                    await BroadcastAsync([0x82, 0x00, 0xFF, 0xFE, .. "binary payload"u8], cancel, binary: true);
                    break;
                case FaultKind.Oversize:
                    await BroadcastAsync(_protocol.Oversize(fault.Value > 1 ? fault.Value : 17 << 20), cancel);
                    break;
                case FaultKind.ServerShutdown:
                    long ms = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
                    if (_protocol.ServerShutdown(ms) is { } notice) await BroadcastAsync(notice, cancel);
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
            Rest.ReadRestSnapshot(snap.Body, b);
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
        if (!(_rest is not null))
        {
            ApplyStream(frame);
            return;
        }
        if (!_books.TryGetValue(frame.Symbol, out var b)) return;
        if (!b.Known)
        {
            if (b.Early.Count >= 10_000) b.Early.RemoveAt(0);
            b.Early.Add(frame);
            return;
        }
        if (frame.LastUpdateId <= b.Book.UpdateId) return;
        using var doc = System.Text.Json.JsonDocument.Parse(frame.Raw);
        lock (_bookGate)
        {
            _protocol.ApplyBook(doc.RootElement, _ => b);
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
            lock (_bookGate)
            {
                var target = b.Start.ToDictionary(l => (l.Side, l.Price), l => l.Qty);
                var changes = new List<(BookSide Side, long Price, long Qty)>();
                foreach (var (side, price, qty) in Levels(b.Book))
                    if (!target.ContainsKey((side, price))) changes.Add((side, price, 0));
                foreach (var ((side, price), qty) in target)
                    if (b.Book.QuantityAt(side, price) != qty) changes.Add((side, price, qty));
                frames.Add(Rest.ResetDiff(symbol, reset.TimeNs, reset.UpdateId, reset.EventTimeMs, changes, _source.Scale));
            }
        }
        return frames;
    }

    private MarketFrame? QuoteFromBook(MarketFrame frame)
    {
        lock (_bookGate)
        {
            if (!_books.TryGetValue(frame.Symbol, out var b) || !b.Known) return null;
            return _protocol.Quote(frame, b);
        }
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
