using System.Net.WebSockets;
using System.Threading.Channels;

namespace TickEngine.Simulator;

/// <summary>
/// A frame to send: text, as the venues send everything, or (a fault) binary; <see cref="Lost"/>: a frame lost on the
/// way, which still uses its message number where the venue numbers a connection's messages.
/// </summary>
internal readonly record struct Outgoing(byte[] Bytes, bool Binary = false, bool Lost = false)
{
    public static implicit operator Outgoing(byte[] bytes) => new(bytes);
}
