using TickEngine.Engine.Venues;
using TickEngine.Engine.Book;
using TickEngine.Engine.Events;
using TickEngine.Storage.Format;

namespace TickEngine.Engine.Research;

/// <summary>One simulated order. Quantities and prices are mantissas at the instrument's scales.</summary>
public sealed class SimOrder
{
    public long Id { get; init; }
    public OrderSide Side { get; init; }
    public OrderType Type { get; init; }
    /// <summary>The limit price (0 for a market order).</summary>
    public long Price { get; init; }
    public long Quantity { get; init; }
    public long Filled { get; internal set; }
    public long Leaves => Quantity - Filled;
    public OrderStatus Status { get; internal set; }
    /// <summary>When the strategy decided, on the exchange's clock (its receive time less the feed's clock offset).</summary>
    public long DecisionNs { get; init; }
    /// <summary>Exchange time the order reaches the exchange.</summary>
    public long ArrivalNs { get; internal set; }
    /// <summary>Exchange time a cancel takes effect (long.MaxValue: none asked).</summary>
    public long CancelAtNs { get; internal set; } = long.MaxValue;
    /// <summary>Resting: the volume ahead in the queue at its price (the queue model's estimate).</summary>
    public long Ahead { get; internal set; }
    /// <summary>Resting: the level's displayed quantity when the order joined (its first position).</summary>
    public long AheadAtPlacement { get; internal set; }
    /// <summary>Why a market order was not (fully) filled.</summary>
    public string? Reason { get; internal set; }
    /// <summary>The mid at arrival (0 when the book had no two sides): the reference of slippage.</summary>
    public long ArrivalBid { get; internal set; }
    public long ArrivalAsk { get; internal set; }
    /// <summary>Trade quantity at this price since the level's last change (nets trades out of the next decrease).</summary>
    internal long TradedSinceChange;
    /// <summary>hftbacktest's models: the volume ahead as hftbacktest keeps it (real, below zero once trades passed the order).</summary>
    public double Front { get; internal set; }
    /// <summary>hftbacktest's models: trade quantity at the price since the level's last change.</summary>
    internal double CumTrade;
}
