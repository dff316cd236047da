namespace TickEngine.Engine.Replay;

/// <summary>
/// The L2 imbalance strategy: bid volume over ask volume across the top N levels; above
/// <see cref="BuyAbove"/> is bid pressure (BUY SIGNAL), below <see cref="SellBelow"/> ask pressure (SELL SIGNAL).
/// Signals only, never from a book that is out of sync (the caller says so).
/// </summary>
public sealed class ImbalanceSignal(int levels = 5, decimal buyAbove = 3.0m, decimal sellBelow = 0.33m)
{
    public int Levels { get; } = levels;
    public decimal BuyAbove { get; } = buyAbove;
    public decimal SellBelow { get; } = sellBelow;
    public long Buys { get; private set; }
    public long Sells { get; private set; }
    public long Evaluated { get; private set; }

    /// <summary>+1 for a buy signal, -1 for a sell signal, 0 for none; <paramref name="ratio"/> is bid/ask volume.</summary>
    public int Evaluate(ReadOnlySpan<long> bidQuantities, ReadOnlySpan<long> askQuantities, out decimal ratio)
    {
        long bids = 0, asks = 0;
        for (int i = 0; i < Math.Min(Levels, bidQuantities.Length); i++) bids += bidQuantities[i];
        for (int i = 0; i < Math.Min(Levels, askQuantities.Length); i++) asks += askQuantities[i];
        Evaluated++;
        if (asks == 0) { ratio = 0; return 0; }
        ratio = (decimal)bids / asks; // both at the same scale: the ratio is exact to decimal's precision
        if (ratio > BuyAbove) { Buys++; return 1; }
        if (ratio < SellBelow) { Sells++; return -1; }
        return 0;
    }
}
