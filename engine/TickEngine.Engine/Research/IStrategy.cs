using TickEngine.Engine.Book;
using TickEngine.Engine.Events;

namespace TickEngine.Engine.Research;

/// <summary>
/// A strategy in C#: it sees the instrument's book after every whole exchange message and every trade, at the
/// receive time the recorder stamped on them (its decision time), and sends orders to the simulated exchange, which
/// acts on them at exchange time after the latency; its fills come back as events after the exchange has acted
/// (<see cref="OnFill"/>), so it may answer them with orders. Runs on the backtest handler's thread. A strategy
/// registers with one entry in <see cref="StrategyRegistry"/>.
/// </summary>
public interface IStrategy
{
    string Name { get; }
    /// <summary>The book is whole (after a message) and in sync.</summary>
    void OnBook(StrategyContext ctx, OrderBook book);
    void OnTrade(StrategyContext ctx, in MarketEvent trade) { }
    void OnFill(StrategyContext ctx, in Fill fill) { }
}
