namespace TickEngine.Simulator.Market;

/// <summary>The market a simulated exchange plays: its symbols and its items in time order.</summary>
public interface IMarketSource
{
    IReadOnlyList<string> Symbols { get; }

    /// <summary>Decimal scale of the market's prices and quantities.</summary>
    int Scale { get; }

    IEnumerable<MarketItem> Items(CancellationToken cancel);
}
