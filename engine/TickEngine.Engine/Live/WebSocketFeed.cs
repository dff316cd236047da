using System.Buffers;
using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net.WebSockets;
using System.Text;
using TickEngine.Engine.Ingest;

namespace TickEngine.Engine.Live;

/// <summary>
/// Venue-neutral WebSocket connections into a <see cref="FramePipe"/>: per <see cref="ConnectionPlan"/> a
/// connection with reconnection (exponential backoff with jitter), a watchdog for silent connections, a reconnect
/// before <see cref="LiveOptions.MaxConnectionAge"/>, the venue's ping, subscription after every connect, and book
/// resubscription on request (<see cref="ISnapshotRequester"/>: the adapter asks after a gap or a failed check).
/// Frames carry their connection's number, and the connect record its URL, so an <see cref="IConnectionAware"/>
/// adapter knows which market each frame belongs to.
/// </summary>
public sealed class WebSocketFeed : ILiveFeed, ISnapshotRequester
{
    private readonly LiveOptions _options;
    private readonly FramePipe _pipe;
    private readonly byte _source;
    private readonly List<Connection> _connections = new();
    private long _reconnects, _oversize, _binary, _largest;

    public WebSocketFeed(LiveOptions options, IReadOnlyList<ConnectionPlan> plans, FramePipe pipe, byte source = 0)
    {
        _options = options;
        _pipe = pipe;
        _source = source;
        for (int i = 0; i < plans.Count; i++) _connections.Add(new Connection(this, plans[i], (byte)i));
    }

    public IReadOnlyList<ILiveConnection> Connections => _connections;
    public long Reconnects => Interlocked.Read(ref _reconnects);
    public long RestErrors => 0;
    public long OversizeFrames => Interlocked.Read(ref _oversize);
    public long BinaryFrames => Interlocked.Read(ref _binary);
    public long LargestReceiveBuffer => Interlocked.Read(ref _largest);

    public Task RunAsync(CancellationToken cancel) => Task.WhenAll(_connections.Select(c => c.RunAsync(cancel)));

    /// <summary>Resubscribes the instrument's book on the connection that carries it (called from the producer thread).</summary>
    public void Request(Instrument instrument)
    {
        foreach (var c in _connections)
            if (c.Plan.BookSymbols.Contains(instrument.Symbol, StringComparer.OrdinalIgnoreCase) && c.Plan.ResubscribeBook is { } resub)
                foreach (var m in resub(instrument.Symbol)) c.Outbox.Enqueue(m);
    }

    public void Dispose() { }

    private static TimeSpan Jitter(TimeSpan t) => TimeSpan.FromTicks((long)(t.Ticks * (0.5 + Random.Shared.NextDouble() * 0.5)));

    private sealed class Connection(WebSocketFeed feed, ConnectionPlan plan, byte number) : ILiveConnection, IStreamsConnection
    {
        private volatile ConnectionState _state = ConnectionState.Disconnected;
        private long _messages;
        private readonly MessageBuffer _buffer = new();
        public ConnectionPlan Plan => plan;
        public readonly ConcurrentQueue<string> Outbox = new();
        public Uri Uri => plan.Address;
        public IReadOnlyList<string> Streams => plan.Streams;
        public ConnectionState State => _state;
        public long Messages => Interlocked.Read(ref _messages);

        public async Task RunAsync(CancellationToken cancel)
        {
            var o = feed._options;
            var backoff = o.BackoffInitial;
            int attempt = 0;
            _buffer.Rent();
            try
            {
                while (!cancel.IsCancellationRequested)
                {
                    _state = attempt == 0 && _messages == 0 ? ConnectionState.Connecting : ConnectionState.Reconnecting;
                    var age = Stopwatch.StartNew();
                    bool connected = false;
                    using (var ws = new ClientWebSocket())
                    using (var session = CancellationTokenSource.CreateLinkedTokenSource(cancel))
                    {
                        ws.Options.KeepAliveInterval = TimeSpan.FromSeconds(20); // unsolicited pongs; the venue's pings are answered anyway
                        try
                        {
                            using (var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancel))
                            {
                                timeout.CancelAfter(TimeSpan.FromSeconds(10));
                                await ws.ConnectAsync(plan.Address, timeout.Token);
                            }
                            connected = true;
                            _state = ConnectionState.Connected;
                            if (_messages > 0 || attempt > 0) Interlocked.Increment(ref feed._reconnects);
                            while (Outbox.TryDequeue(out _)) { } // a new subscription brings fresh snapshots
                            await feed._pipe.WriteAsync(FramePipe.RecordKind.Connect, ReadOnlyMemory<byte>.Empty, Clock.NowNs(), plan.Address.ToString(), cancel, feed._source, connection: number);
                            foreach (var m in plan.Subscribe) await Send(ws, m, cancel);
                            plan.Connected?.Invoke();
                            var sender = SendLoopAsync(ws, session.Token);
                            try { await ReceiveLoopAsync(ws, age, session.Token, cancel); }
                            finally
                            {
                                session.Cancel();
                                try { await sender; } catch (OperationCanceledException) { }
                            }
                        }
                        catch (OperationCanceledException) when (cancel.IsCancellationRequested) { }
                        catch (Exception e) when (e is WebSocketException or OperationCanceledException or IOException or HttpRequestException) { }
                        if (ws.State == WebSocketState.Open)
                        {
                            try { await ws.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, "bye", CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(2)); }
                            catch (Exception) { /* leaving anyway */ }
                        }
                    }
                    if (connected)
                    {
                        try { await feed._pipe.WriteAsync(plan.BookSymbols.Count > 0 ? FramePipe.RecordKind.Disconnect : FramePipe.RecordKind.DisconnectTradesOnly, ReadOnlyMemory<byte>.Empty, Clock.NowNs(), null, CancellationToken.None, feed._source, connection: number); }
                        catch (InvalidOperationException) { /* the pipe is complete: stopping */ }
                    }
                    if (cancel.IsCancellationRequested) break;
                    if (age.Elapsed > TimeSpan.FromSeconds(60)) { attempt = 0; backoff = o.BackoffInitial; }
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

        private static Task Send(ClientWebSocket ws, string text, CancellationToken cancel) =>
            ws.SendAsync(Encoding.UTF8.GetBytes(text), WebSocketMessageType.Text, true, cancel);

        /// <summary>Pings on the venue's period and sends resubscriptions the producer asked for.</summary>
        private async Task SendLoopAsync(ClientWebSocket ws, CancellationToken cancel)
        {
            var lastPing = Stopwatch.StartNew();
            while (!cancel.IsCancellationRequested && ws.State == WebSocketState.Open)
            {
                while (Outbox.TryDequeue(out var m)) await Send(ws, m, cancel);
                if (plan.Ping is { } ping && lastPing.Elapsed >= plan.PingEvery)
                {
                    await Send(ws, ping, cancel);
                    lastPing.Restart();
                }
                await Task.Delay(20, cancel);
            }
        }

        private async Task ReceiveLoopAsync(ClientWebSocket ws, Stopwatch age, CancellationToken session, CancellationToken cancel)
        {
            var o = feed._options;
            using var watchdog = CancellationTokenSource.CreateLinkedTokenSource(session);
            while (ws.State == WebSocketState.Open)
            {
                watchdog.CancelAfter(o.Watchdog);
                var (length, oversize, type) = await _buffer.ReceiveAsync(ws, feed._pipe.MaxFrameBytes,
                    size => Interlocked.Exchange(ref feed._largest, Math.Max(Interlocked.Read(ref feed._largest), size)), watchdog.Token);
                if (type == WebSocketMessageType.Close) break;
                long now = Clock.NowNs();
                Interlocked.Increment(ref _messages);
                if (oversize || type == WebSocketMessageType.Binary)
                {
                    Interlocked.Increment(ref oversize ? ref feed._oversize : ref feed._binary);
                    if (!oversize) _buffer.KeepSample(_buffer.Buffer.AsSpan(0, length));
                    await feed._pipe.WriteAsync(FramePipe.RecordKind.Rejected, _buffer.Sample, now, null, cancel, feed._source,
                        (byte)(oversize ? FramePipe.RejectReason.Oversize : FramePipe.RejectReason.Binary), number);
                    continue;
                }
                await feed._pipe.WriteAsync(FramePipe.RecordKind.Frame, _buffer.Buffer.AsMemory(0, length), now, null, cancel, feed._source, connection: number);
                if (plan.EndsConnection?.Invoke(_buffer.Buffer.AsMemory(0, length)) == true) break; // reconnect at once
                if (age.Elapsed > o.MaxConnectionAge) break; // before the venue's session limit
            }
        }
    }
}
