using TickEngine.Engine.Book;
using TickEngine.Storage.Format;

namespace TickEngine.Simulator.Market;

/// <summary>A trade at the touch: consecutive ids per symbol; <see cref="BuyerMaker"/> when the seller took the bid.</summary>
public sealed record SyntheticTrade(long TimeNs, string Symbol, long Id, long Price, long Quantity, bool BuyerMaker) : SyntheticEvent(TimeNs, Symbol);
