using TickEngine.Engine.Book;
using TickEngine.Engine.Events;
using TickEngine.Engine.Ring;
using TickEngine.Storage.Format;

namespace TickEngine.Engine.Research;

/// <summary>One market order measured: what it would have cost at one instant.</summary>
/// <remarks><paramref name="BeyondKnownDepth"/>: the walk reached past the deepest level of the book's last snapshot on that side,
/// where the rebuilt book holds only the levels that changed since (the rest of the exchange's book is unknown), or the
/// book ran out: the figure is a lower bound.</remarks>
public readonly record struct SlippageSample(long DecisionNs, long ExecutionNs, OrderSide Side, long Size, long Filled, Int128 Notional,
    long ArrivalBid, long ArrivalAsk, long Bid, long Ask, int Levels, bool BeyondKnownDepth = false)
{
    public bool Partial => Filled < Size;

    /// <summary>Average fill price (notional / filled) as a double, for ratios and charts.</summary>
    public double AveragePrice(MoneyScale m) => Filled == 0 ? 0 : m.ToDouble(Notional) / ((double)Filled / Math.Pow(10, m.QuantityScale));

    private static double Bps(double average, double reference, OrderSide side) =>
        reference == 0 ? 0 : (side == OrderSide.Buy ? average - reference : reference - average) / reference * 10_000;

    /// <summary>Slippage against the mid at execution, in bp (positive = cost).</summary>
    public double BpsVsMid(MoneyScale m) => Bps(AveragePrice(m), (Bid + Ask) / 2.0 / Math.Pow(10, m.PriceScale), Side);

    /// <summary>Slippage against the mid when the order was decided (the arrival price), in bp.</summary>
    public double BpsVsArrival(MoneyScale m) => Bps(AveragePrice(m), (ArrivalBid + ArrivalAsk) / 2.0 / Math.Pow(10, m.PriceScale), Side);

    /// <summary>Cost against the mid at execution in quote currency, exact: notional - filled x mid (a buy), or the reverse.</summary>
    public Int128 CostVsMid(MoneyScale m)
    {
        Int128 atMid = m.MidNotional(Bid, Ask, Filled);
        return Side == OrderSide.Buy ? Notional - atMid : atMid - Notional;
    }
}
