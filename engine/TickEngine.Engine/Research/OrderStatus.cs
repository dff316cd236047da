using TickEngine.Engine.Venues;
using TickEngine.Engine.Book;
using TickEngine.Engine.Events;
using TickEngine.Storage.Format;

namespace TickEngine.Engine.Research;

public enum OrderStatus : byte
{
    /// <summary>Sent, not yet at the exchange (entry latency).</summary>
    Pending,
    /// <summary>A limit order in the book.</summary>
    Resting,
    Filled,
    Cancelled,
    /// <summary>A market order that found no book in sync, or a book that ran out (then partly filled).</summary>
    Unfillable,
    /// <summary>Refused by the exchange's rules: a quantity below one lot, or a price or quantity off the grid when off-grid orders are refused.</summary>
    Rejected,
}
