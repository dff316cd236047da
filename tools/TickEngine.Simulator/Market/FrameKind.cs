namespace TickEngine.Simulator.Market;

/// <summary>What a market frame carries, for subscriptions and for the simulator's own book.</summary>
public enum FrameKind : byte
{
    Trade,
    AggTrade,
    DepthDiff,
    PartialDepth,
    BookTicker,
    Other,
}
