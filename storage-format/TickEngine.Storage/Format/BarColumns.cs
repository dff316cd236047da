namespace TickEngine.Storage.Format;

/// <summary>Column indices of the bars schema.</summary>
public static class BarColumns
{
    public const int OpenTime = 0, ReceiveTime = 1, Interval = 2, Open = 3, High = 4, Low = 5, Close = 6, Volume = 7,
        BuyVolume = 8, TradeCount = 9, FirstTradeId = 10, LastTradeId = 11, Flags = 12, Count = 13;
}
