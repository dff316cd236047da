using TickEngine.Engine.Book;
using TickEngine.Storage.Format;

namespace TickEngine.Simulator.Market;

/// <summary>
/// A perpetual's funding state, once a second of market time: mark and index price (ticks of 0.01: the mid), the
/// funding rate (in units of 1e-8: 10,000 is 0.0001) and the next funding time (the next 8-hour boundary, UTC).
/// </summary>
public sealed record SyntheticFunding(long TimeNs, string Symbol, long MarkPrice, long IndexPrice, long Rate, long NextFundingNs) : SyntheticEvent(TimeNs, Symbol)
{
    /// <summary>Decimals of the rate as the venues write it.</summary>
    public const int RateDecimals = 8;
}
