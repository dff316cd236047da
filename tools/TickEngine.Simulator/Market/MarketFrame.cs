namespace TickEngine.Simulator.Market;

/// <summary>
/// One frame the simulator sends: its stream ("btcusdt@trade"), its time on the market's clock (for pacing), the
/// combined-stream form (<c>{"stream":..,"data":..}</c>) and the raw payload (for <c>/ws/&lt;stream&gt;</c>).
/// </summary>
public sealed record MarketFrame(long TimeNs, string Stream, FrameKind Kind, string Symbol, byte[] Combined, byte[] Raw, long FirstUpdateId = 0, long LastUpdateId = 0, long TradeId = 0);
