using TickEngine.Engine.Book;
using TickEngine.Engine.Events;
using TickEngine.Storage.Format;
using TickEngine.Storage.Numerics;

namespace TickEngine.Engine.Replay;

/// <summary>A top-N book sample (best level first; empty levels left out).</summary>
public sealed record L2Row(long ExchangeTimeNs, long ReceiveTimeNs, long UpdateId, IReadOnlyList<(decimal Price, decimal Quantity)> Bids, IReadOnlyList<(decimal Price, decimal Quantity)> Asks);
