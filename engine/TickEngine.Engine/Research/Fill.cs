using TickEngine.Engine.Venues;
using TickEngine.Engine.Book;
using TickEngine.Engine.Events;
using TickEngine.Storage.Format;

namespace TickEngine.Engine.Research;

/// <summary>A fill: at the order's limit price for a resting (maker) order, at each level's price for a taker.</summary>
public readonly record struct Fill(long OrderId, OrderSide Side, long TimeNs, long Price, long Quantity, bool Maker, Int128 Fee);
