namespace TickEngine.Storage.Format;

/// <summary>Column indices of the quotes schema.</summary>
public static class QuoteColumns
{
    public const int ExchangeTime = 0, ReceiveTime = 1, UpdateId = 2, BidPrice = 3, BidQty = 4, AskPrice = 5, AskQty = 6, Flags = 7, Count = 8;
}
