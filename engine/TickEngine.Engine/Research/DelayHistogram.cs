using TickEngine.Engine.Metrics;

namespace TickEngine.Engine.Research;

/// <summary>
/// A distribution of delays recorded in nanoseconds and kept in microseconds (an HdrHistogram of 3 significant
/// digits: every value under 2.048 ms exact to the microsecond, larger ones within 0.1 %), so a fixed 1 ms latency
/// reads back as 1 ms. Up to an hour; negative values count as 0.
/// </summary>
public sealed class DelayHistogram
{
    private readonly HdrHistogram _us = new(1, 3_600_000_000, 3);

    public long Count => _us.TotalCount;

    public void Record(long ns) => _us.RecordValue(Math.Clamp((ns + 500) / 1000, 0, 3_600_000_000));

    /// <summary>The value at a percentile (0..100), in ns.</summary>
    public long AtPercentile(double percentile) => _us.TotalCount == 0 ? 0 : _us.ValueAtPercentile(percentile) * 1000;

    /// <summary>The largest value, in ns (to the microsecond).</summary>
    public long Max => _us.Max * 1000;
}
