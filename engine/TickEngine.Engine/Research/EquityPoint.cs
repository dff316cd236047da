using TickEngine.Engine.Events;
using TickEngine.Engine.Ring;
using TickEngine.Storage.Format;

namespace TickEngine.Engine.Research;

/// <summary>One point of the equity curve (money exact; the mid in price mantissas).</summary>
public readonly record struct EquityPoint(long TimeNs, Int128 Equity, Int128 Drawdown, long Position, long Bid, long Ask);
