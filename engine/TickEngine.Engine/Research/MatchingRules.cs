namespace TickEngine.Engine.Research;

/// <summary>How the simulated exchange fills resting limit orders.</summary>
public enum MatchingRules : byte
{
    /// <summary>
    /// The default: an order fills only by prints that reach it. At its price a print fills what passes the volume
    /// ahead; a print through its price fills it, but one print fills our orders by at most its own size; a best
    /// price that crosses the order without a print fills nothing. Errs against the strategy.
    /// </summary>
    Conservative,
    /// <summary>
    /// hftbacktest's <c>PartialFillExchange</c>: a print through the order's price fills it whole, whatever the
    /// print's size; at its price the queue model decides (fills in whole lots, at most the print); the opposite best
    /// moving to or through its price fills it whole, print or not.
    /// </summary>
    Hftbacktest,
}
