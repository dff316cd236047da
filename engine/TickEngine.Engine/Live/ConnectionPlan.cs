using System.Buffers;
using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net.WebSockets;
using System.Text;
using TickEngine.Engine.Ingest;

namespace TickEngine.Engine.Live;

/// <summary>
/// One connection a venue asks for: its URL, the messages that subscribe it (sent after every connect, so a
/// reconnect resubscribes), the application ping the venue wants (text and period), and how to resubscribe one
/// symbol's book (the stream-snapshot venues' resync: a fresh subscription sends a fresh snapshot).
/// </summary>
public sealed record ConnectionPlan(Uri Address, IReadOnlyList<string> Subscribe, string? Ping, TimeSpan PingEvery,
    IReadOnlyList<string> BookSymbols, Func<string, IReadOnlyList<string>>? ResubscribeBook = null)
{
    /// <summary>Called after every connect and its subscriptions (Binance asks its REST snapshots here).</summary>
    public Action? Connected { get; init; }

    /// <summary>True for a frame after which the connection should be left at once (Binance's <c>serverShutdown</c>).</summary>
    public Func<ReadOnlyMemory<byte>, bool>? EndsConnection { get; init; }

    /// <summary>What the connection carries, for status lines (Binance: its streams).</summary>
    public IReadOnlyList<string> Streams { get; init; } = [];
}
