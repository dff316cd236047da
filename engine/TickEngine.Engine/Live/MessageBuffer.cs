using System.Buffers;
using System.Net.WebSockets;

namespace TickEngine.Engine.Live;

/// <summary>
/// A connection's receive buffer: rented once, grown in place up to the frame pipe's maximum frame size, given back
/// when the connection ends. A message over the maximum is read to its end into the same buffer and dropped, its
/// first bytes kept as a sample (memory stays bounded). Whatever way a receive ends, the connection holds the one
/// array it rented (a grown buffer handed back only through a return value would be lost when a receive throws).
/// </summary>
public sealed class MessageBuffer
{
    private readonly byte[] _sample = new byte[256];

    public byte[] Buffer { get; private set; } = [];
    public ReadOnlyMemory<byte> Sample => _sample.AsMemory(0, _sampleLength);
    private int _sampleLength;

    public void Rent() => Buffer = ArrayPool<byte>.Shared.Rent(1 << 16);

    public void Return()
    {
        if (Buffer.Length > 0) ArrayPool<byte>.Shared.Return(Buffer);
        Buffer = [];
    }

    /// <summary>
    /// Reads one whole message: its length in <see cref="Buffer"/>, whether it was over <paramref name="maxBytes"/>
    /// (then its first bytes are in <see cref="Sample"/>), and its type. <paramref name="grew"/> hears every new size.
    /// </summary>
    public async ValueTask<(int Length, bool Oversize, WebSocketMessageType Type)> ReceiveAsync(WebSocket ws, int maxBytes, Action<int> grew, CancellationToken cancel)
    {
        int length = 0;
        bool oversize = false;
        ValueWebSocketReceiveResult r;
        _sampleLength = 0;
        do
        {
            if (length == Buffer.Length)
            {
                if (Buffer.Length >= maxBytes)
                {
                    if (!oversize) KeepSample(Buffer.AsSpan(0, length));
                    oversize = true;
                    length = 0;
                }
                else
                {
                    var bigger = ArrayPool<byte>.Shared.Rent(Math.Min(Buffer.Length * 2, maxBytes));
                    Buffer.AsSpan(0, length).CopyTo(bigger);
                    ArrayPool<byte>.Shared.Return(Buffer);
                    Buffer = bigger;
                    grew(Buffer.Length);
                }
            }
            r = await ws.ReceiveAsync(Buffer.AsMemory(length), cancel);
            length += r.Count;
        }
        while (!r.EndOfMessage);
        return (length, oversize, r.MessageType);
    }

    /// <summary>Keeps the first bytes of a rejected message as its sample.</summary>
    public void KeepSample(ReadOnlySpan<byte> data)
    {
        _sampleLength = Math.Min(data.Length, _sample.Length);
        data[.._sampleLength].CopyTo(_sample);
    }
}
