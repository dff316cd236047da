using System.Text.Json;
using TickEngine.Engine.Book;
using TickEngine.Simulator.Market;
using TickEngine.Storage.Format;
using TickEngine.Storage.Numerics;

namespace TickEngine.Simulator;

/// <summary>What a client's message on a session does: keys subscribed and unsubscribed, books that want a fresh snapshot, replies.</summary>
public sealed record ClientAction(IReadOnlyList<string> Subscribe, IReadOnlyList<string> Unsubscribe, IReadOnlyList<string> Books, IReadOnlyList<byte[]> Replies)
{
    public static readonly ClientAction None = new([], [], [], []);
}
