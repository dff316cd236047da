using TickEngine.Engine.Book;
using TickEngine.Engine.Events;
using TickEngine.Storage.Format;
using TickEngine.Storage.Numerics;

namespace TickEngine.Engine.Replay;

/// <summary>The rebuilt full book after one exchange message: <see cref="Valid"/> is false from a stored gap until the next snapshot.</summary>
public sealed record BookState(long ExchangeTimeNs, long UpdateId, bool Valid, IReadOnlyList<(decimal Price, decimal Quantity)> Bids, IReadOnlyList<(decimal Price, decimal Quantity)> Asks)
{
    public decimal? BestBid => Bids.Count > 0 ? Bids[0].Price : null;
    public decimal? BestAsk => Asks.Count > 0 ? Asks[0].Price : null;
}
