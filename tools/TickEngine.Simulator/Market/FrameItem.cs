namespace TickEngine.Simulator.Market;

/// <summary>A frame to send; <see cref="FromBook"/> asks the exchange to fill a bookTicker from its own book.</summary>
public sealed record FrameItem(MarketFrame Frame, bool FromBook = false) : MarketItem(Frame.TimeNs);
