using TickEngine.Engine.Book;
using TickEngine.Engine.Events;
using TickEngine.Storage.Format;
using TickEngine.Storage.Numerics;

namespace TickEngine.Engine.Replay;

/// <summary>An OHLCV bar.</summary>
public readonly record struct BarRow(long OpenTimeNs, long IntervalNs, decimal Open, decimal High, decimal Low, decimal Close, decimal Volume, decimal BuyVolume, long TradeCount);
