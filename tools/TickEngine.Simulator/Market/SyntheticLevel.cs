using TickEngine.Engine.Book;
using TickEngine.Storage.Format;

namespace TickEngine.Simulator.Market;

/// <summary>One level change of a synthetic book: price in ticks of 0.01, quantity in units of 0.00001 (0 removes the level).</summary>
public readonly record struct SyntheticLevel(bool Bid, long Price, long Quantity);
