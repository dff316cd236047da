using TickEngine.Engine.Events;
using TickEngine.Engine.Research;
using TickEngine.Storage.Format;

namespace TickEngine.Engine.Tests.Research;

/// <summary>Events small enough to compute by hand (prices and quantities plain integers, receive time = exchange time), and a hand-made book.</summary>
internal static class SimEvents
{
    public const long T = 1_786_310_000_000_000_000;

    public static MarketEvent Level(BookSide side, long price, long qty, long t, long flags = (long)RowFlags.LastInMessage) =>
        new() { Kind = EventKind.BookDelta, Side = (byte)side, Price = price, Quantity = qty, ExchangeTime = t, ReceiveTime = t, Flags = flags };

    public static MarketEvent Trade(TradeSide aggressor, long price, long qty, long t) =>
        new() { Kind = EventKind.Trade, Side = (byte)aggressor, Price = price, Quantity = qty, ExchangeTime = t, ReceiveTime = t };

    public static MarketEvent Status(StatusKind kind, long t) => new() { Kind = EventKind.Status, Side = (byte)kind, ExchangeTime = t, ReceiveTime = t };

    /// <summary>A snapshot's levels: bids 100 x <paramref name="bid100"/>, 99 x 5; asks 101 x 8, 102 x 20.</summary>
    public static MarketEvent[] SnapshotEvents(long t, long bid100 = 10)
    {
        const long snap = (long)RowFlags.FromSnapshot;
        return
        [
            Level(BookSide.Bid, 100, bid100, t, snap | (long)RowFlags.SnapshotBegins), Level(BookSide.Bid, 99, 5, t, snap),
            Level(BookSide.Ask, 101, 8, t, snap), Level(BookSide.Ask, 102, 20, t, snap | (long)RowFlags.LastInMessage),
        ];
    }

    /// <summary>The snapshot into a simulated exchange.</summary>
    public static void Snapshot(ExecutionSimulator sim, long t, long bid100 = 10)
    {
        foreach (var e in SnapshotEvents(t, bid100)) sim.OnEvent(e);
    }
}
