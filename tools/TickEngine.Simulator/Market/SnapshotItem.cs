namespace TickEngine.Simulator.Market;

/// <summary>
/// A REST depth snapshot the market starts its book from; <see cref="Recorded"/> when a recording fetched it at
/// this point (the exchange then holds the market until a client asks for a snapshot).
/// </summary>
public sealed record SnapshotItem(long TimeNs, string Symbol, byte[] Body, bool Recorded = false) : MarketItem(TimeNs);
