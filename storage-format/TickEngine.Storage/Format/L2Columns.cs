namespace TickEngine.Storage.Format;

/// <summary>Column indices of the l2 schema for a depth of N levels per side.</summary>
public static class L2Columns
{
    public const int ExchangeTime = 0, ReceiveTime = 1, UpdateId = 2, BidCount = 3, AskCount = 4, Flags = 5, FirstLevel = 6;

    /// <summary>Column of bid level <paramref name="level"/> (0-based) price; its quantity follows.</summary>
    public static int BidPrice(int level) => FirstLevel + 2 * level;

    /// <summary>Column of ask level <paramref name="level"/> (0-based) price; its quantity follows.</summary>
    public static int AskPrice(int depth, int level) => FirstLevel + 2 * depth + 2 * level;

    /// <summary>Total columns for <paramref name="depth"/> levels per side.</summary>
    public static int Count(int depth) => FirstLevel + 4 * depth;
}
