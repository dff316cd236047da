using TickEngine.Engine.Book;
using TickEngine.Storage.Format;

namespace TickEngine.Simulator.Market;

/// <summary>A point where the venue states its best bid and ask (Binance's bookTicker), filled from the exchange's book.</summary>
public sealed record SyntheticQuote(long TimeNs, string Symbol) : SyntheticEvent(TimeNs, Symbol);
