namespace TickEngine.Storage.Format;

/// <summary>Column indices of the funding schema.</summary>
public static class FundingColumns
{
    public const int ExchangeTime = 0, ReceiveTime = 1, FundingRate = 2, NextFunding = 3, MarkPrice = 4, IndexPrice = 5, Flags = 6, Count = 7;
}
