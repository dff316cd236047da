namespace TickEngine.Storage.Format;

/// <summary>Column indices of the deltas schema.</summary>
public static class DeltaColumns
{
    public const int ExchangeTime = 0, ReceiveTime = 1, FirstUpdateId = 2, LastUpdateId = 3, Side = 4, Price = 5, Quantity = 6, Flags = 7, Count = 8;
}
