namespace TickEngine.Simulator.Market;

/// <summary>Something the market emits: a frame, or (a capture's REST snapshot) the point where its book becomes known.</summary>
public abstract record MarketItem(long TimeNs);
