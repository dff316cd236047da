namespace TickEngine.Engine.Research;

/// <summary>The distribution of one size on one side over the period.</summary>
public sealed record SlippageRow(OrderSide Side, long Size, int Orders, int Partial, double MeanBps, double P50Bps, double P95Bps, double P99Bps, double MaxBps,
    double MeanBpsVsArrival, Int128 CostTotal, double MeanLevels, IReadOnlyList<(int Hour, int Orders, double MeanBps)> ByHour);
