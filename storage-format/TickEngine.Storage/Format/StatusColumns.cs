namespace TickEngine.Storage.Format;

/// <summary>Column indices of the status schema.</summary>
public static class StatusColumns
{
    public const int ExchangeTime = 0, ReceiveTime = 1, Kind = 2, A = 3, B = 4, Flags = 5, Count = 6;
}
