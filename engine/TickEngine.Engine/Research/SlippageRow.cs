namespace TickEngine.Engine.Research;

/// <summary>
/// The distribution of one size on one side over the period: against the mid at execution and against the arrival
/// price (the mid when decided); <see cref="BeyondKnownDepth"/> orders walked past the depth the book was known to.
/// </summary>
public sealed record SlippageRow(OrderSide Side, long Size, int Orders, int Partial, double MeanBps, double P50Bps, double P95Bps, double P99Bps, double MaxBps,
    double MeanBpsVsArrival, Int128 CostTotal, double MeanLevels, IReadOnlyList<(int Hour, int Orders, double MeanBps)> ByHour)
{
    public double P50BpsVsArrival { get; init; }
    public double P95BpsVsArrival { get; init; }
    public double P99BpsVsArrival { get; init; }
    public double MaxBpsVsArrival { get; init; }
    public int BeyondKnownDepth { get; init; }
}
