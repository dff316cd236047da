using TickEngine.Engine.Book;
using TickEngine.Engine.Events;
using TickEngine.Storage.Format;
using TickEngine.Storage.Numerics;

namespace TickEngine.Engine.Replay;

/// <summary>A trade as a test or a notebook reads it: exact decimals, both times.</summary>
/// <param name="Id">The integer trade id (for ids of other forms, the first 8 bytes: use <paramref name="IdText"/>).</param>
/// <param name="IdText">The trade id exactly as the exchange sent it (digits, a UUID, text).</param>
public readonly record struct TradeRow(long ExchangeTimeNs, long ReceiveTimeNs, long Id, decimal Price, decimal Quantity, TradeSide Side, string IdText);
