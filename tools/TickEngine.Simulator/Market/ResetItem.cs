namespace TickEngine.Simulator.Market;

/// <summary>
/// A looped market starts again: the exchange sends one diff (using update id <see cref="UpdateId"/>) that turns
/// its book into the book the recording started with, so that the looped stream stays consistent.
/// </summary>
public sealed record ResetItem(long TimeNs, long UpdateId, long EventTimeMs) : MarketItem(TimeNs);
