namespace TickEngine.Simulator.Market;

/// <summary>Something the market emits: a frame, or (a capture's REST snapshot) the point where its book becomes known.</summary>
public abstract record MarketItem(long TimeNs);

/// <summary>A frame to send; <see cref="FromBook"/> asks the exchange to fill a bookTicker from its own book.</summary>
public sealed record FrameItem(MarketFrame Frame, bool FromBook = false) : MarketItem(Frame.TimeNs);

/// <summary>
/// A REST depth snapshot the market starts its book from; <see cref="Recorded"/> when a recording fetched it at
/// this point (the exchange then holds the market until a client asks for a snapshot).
/// </summary>
public sealed record SnapshotItem(long TimeNs, string Symbol, byte[] Body, bool Recorded = false) : MarketItem(TimeNs);

/// <summary>
/// A looped market starts again: the exchange sends one diff (using update id <see cref="UpdateId"/>) that turns
/// its book into the book the recording started with, so that the looped stream stays consistent.
/// </summary>
public sealed record ResetItem(long TimeNs, long UpdateId, long EventTimeMs) : MarketItem(TimeNs);

/// <summary>The market a simulated exchange plays: its symbols and its items in time order.</summary>
public interface IMarketSource
{
    IReadOnlyList<string> Symbols { get; }

    /// <summary>Decimal scale of the market's prices and quantities.</summary>
    int Scale { get; }

    IEnumerable<MarketItem> Items(CancellationToken cancel);
}
