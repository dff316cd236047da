using System.Net.WebSockets;
using System.Threading.Channels;

namespace TickEngine.Simulator;

/// <summary>A frame to send: text, as Binance sends everything, or (a fault) binary.</summary>
internal readonly record struct Outgoing(byte[] Bytes, bool Binary = false)
{
    public static implicit operator Outgoing(byte[] bytes) => new(bytes);
}

/// <summary>One client connection: its subscriptions, its queue of frames, and the loop that sends them.</summary>
internal sealed class Session
{
    private readonly WebSocket _socket;
    private readonly HashSet<string> _keys = new();
    private readonly object _gate = new();

    public Session(WebSocket socket, bool combined, int queue)
    {
        _socket = socket;
        Combined = combined;
        Queue = Channel.CreateBounded<Outgoing>(new BoundedChannelOptions(queue) { SingleReader = true, FullMode = BoundedChannelFullMode.Wait });
    }

    public bool Combined { get; }
    public Channel<Outgoing> Queue { get; }
    public long Sent;

    public void Subscribe(IEnumerable<string> keys)
    {
        lock (_gate) foreach (var k in keys) _keys.Add(Market.StreamKey.Of(k));
    }

    public void Unsubscribe(IEnumerable<string> keys)
    {
        lock (_gate) foreach (var k in keys) _keys.Remove(Market.StreamKey.Of(k));
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
            await _socket.SendAsync(frame.Bytes, frame.Binary ? WebSocketMessageType.Binary : WebSocketMessageType.Text, true, cancel);
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
