namespace TickEngine.Storage.Reading;

/// <summary>One committed block as the index or a scan found it: where it is, its rows and its time ranges.</summary>
public readonly record struct BlockInfo(long Offset, int Length, int Rows, long FirstRow, long MinExchangeTime, long MaxExchangeTime,
    long MinReceiveTime, long MaxReceiveTime);
