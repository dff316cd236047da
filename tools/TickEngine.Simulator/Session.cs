using System.Net.WebSockets;
using System.Threading.Channels;

namespace TickEngine.Simulator;

/// <summary>One client connection: its subscriptions, its queue of frames, and the loop that sends them.</summary>
internal sealed class Session
{
    private readonly WebSocket _socket;
    private readonly HashSet<string> _keys = new();
    private readonly object _gate = new();

    private readonly IExchangeProtocol _protocol;
    private long _counter;

    public Session(WebSocket socket, bool combined, int queue, IExchangeProtocol protocol)
    {
        _socket = socket;
        _protocol = protocol;
        Combined = combined;
        Queue = Channel.CreateBounded<Outgoing>(new BoundedChannelOptions(queue) { SingleReader = true, FullMode = BoundedChannelFullMode.Wait });
    }

    public bool Combined { get; }
    public Channel<Outgoing> Queue { get; }
    public long Sent;

    /// <summary>Until this time (<see cref="TickEngine.Engine.Live.Clock"/> ns) the connection is sent nothing (a stall fault).</summary>
    public long SilentUntilNs;

    public bool Silent => SilentUntilNs != 0 && TickEngine.Engine.Live.Clock.NowNs() < SilentUntilNs;

    /// <summary>Books subscribed whose fresh snapshot the market still has to send (in order with its frames).</summary>
    public readonly System.Collections.Concurrent.ConcurrentQueue<string> SnapshotsDue = new();

    public void Subscribe(IEnumerable<string> keys)
    {
        lock (_gate) foreach (var k in keys) _keys.Add(_protocol.Key(k));
    }

    public void Unsubscribe(IEnumerable<string> keys)
    {
        lock (_gate) foreach (var k in keys) _keys.Remove(_protocol.Key(k));
    }

    public string[] Subscriptions
    {
        get { lock (_gate) return _keys.ToArray(); }
    }

    public bool Wants(string key)
    {
        lock (_gate) return _keys.Contains(key);
    }

    public bool HasSubscriptions
    {
        get { lock (_gate) return _keys.Count > 0; }
    }

    public async Task SendLoopAsync(CancellationToken cancel)
    {
        await foreach (var frame in Queue.Reader.ReadAllAsync(cancel))
        {
            var bytes = frame.Bytes;
            if (_protocol.Renumbers && !frame.Binary) bytes = _protocol.Outgoing(bytes, ref _counter);
            if (frame.Lost) continue; // its number is used; the frame never arrives
            await _socket.SendAsync(bytes, frame.Binary ? WebSocketMessageType.Binary : WebSocketMessageType.Text, true, cancel);
            Interlocked.Increment(ref Sent);
        }
    }

    public void Abort()
    {
        Queue.Writer.TryComplete();
        _socket.Abort();
    }

    public async Task CloseAsync()
    {
        Queue.Writer.TryComplete();
        try { await _socket.CloseOutputAsync(WebSocketCloseStatus.EndpointUnavailable, "server shutdown", CancellationToken.None); }
        catch (WebSocketException) { }
        catch (ObjectDisposedException) { }
    }
}
