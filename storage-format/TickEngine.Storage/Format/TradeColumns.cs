namespace TickEngine.Storage.Format;

/// <summary>Column indices of the trades schema.</summary>
public static class TradeColumns
{
    public const int ExchangeTime = 0, ReceiveTime = 1, TradeId = 2, Price = 3, Quantity = 4, Side = 5, Flags = 6, Count = 7;

    /// <summary>Format 1.1, text trade ids: the last 8 bytes of the id (<see cref="TradeIds"/>), and the column count then.</summary>
    public const int TradeIdLo = 7, CountWithTextIds = 8;
}
