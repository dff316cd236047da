using System.Text.Json;
using TickEngine.Engine.Book;
using TickEngine.Simulator.Market;
using TickEngine.Storage.Format;
using TickEngine.Storage.Numerics;

namespace TickEngine.Simulator;

/// <summary>A venue whose simulator also plays the venue-neutral <see cref="Market.SyntheticMarket"/>, in its own words.</summary>
public interface ISyntheticProtocol : IExchangeProtocol
{
    /// <summary>A writer of the synthetic market's events in this venue's words, for one market.</summary>
    ISyntheticWriter SyntheticWriter(string market);
}
