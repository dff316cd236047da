using System.Globalization;
using TickEngine.Engine.Metrics;
using TickEngine.Tests.Shared;
using Xunit;
using Xunit.Abstractions;

namespace TickEngine.Engine.Tests.Metrics;

public class HdrHistogramTests(ITestOutputHelper output)
{
    [Fact]
    public void LayoutFollowsTheSignificantDigits()
    {
        // 3 digits: 2,000 values at unit resolution need 2,048 sub-buckets; an hour in microseconds needs 22 buckets.
        var h = new HdrHistogram(1, 3_600_000_000, 3);
        Assert.Equal(2048, h.SubBucketCount);
        Assert.Equal(22, h.BucketCount);
        Assert.Equal(23 * 1024, h.CountsLength);
        var h2 = new HdrHistogram(1, 1_000_000, 2);
        Assert.Equal(256, h2.SubBucketCount);
    }

    [Fact]
    public void EquivalenceRangesHoldTheValueToTheGivenPrecision()
    {
        int seed = Environment.TickCount;
        output.WriteLine($"seed {seed}");
        var rng = new Random(seed);
        var h = new HdrHistogram(1, 3_600_000_000_000, 3);
        for (int i = 0; i < 100_000; i++)
        {
            long v = (long)Math.Pow(10, rng.NextDouble() * 12);
            long lo = h.LowestEquivalentValue(v), hi = h.HighestEquivalentValue(v), size = h.SizeOfEquivalentValueRange(v);
            Assert.InRange(v, lo, hi);
            Assert.Equal(hi - lo + 1, size);
            Assert.True((size & (size - 1)) == 0, "range sizes are powers of two");
            if (v < 2048) Assert.Equal(1, size); // unit resolution below 2 x 10^3
            Assert.True(size <= Math.Max(1, lo / 1000.0), $"range {size} at {lo} is wider than 3 digits");
            Assert.True(h.ValuesAreEquivalent(lo, hi));
            Assert.False(h.ValuesAreEquivalent(lo, hi + 1));
        }
    }

    [Fact]
    public void PercentilesMatchASortedArrayWithinTheEquivalenceRange()
    {
        int seed = Environment.TickCount;
        output.WriteLine($"seed {seed}");
        var rng = new Random(seed);
        var h = new HdrHistogram(1, 60_000_000_000, 3);
        var values = new long[50_000];
        for (int i = 0; i < values.Length; i++)
        {
            values[i] = rng.Next(3) == 0 ? rng.NextInt64(1, 100_000_000) : rng.NextInt64(1_000, 50_000);
            h.RecordValue(values[i]);
        }
        Array.Sort(values);
        foreach (double p in new[] { 0.0, 1, 10, 25, 50, 75, 90, 99, 99.9, 99.99, 100 })
        {
            long rank = Math.Max(1, (long)(p / 100 * values.Length + 0.5));
            long exact = values[rank - 1];
            long reported = h.ValueAtPercentile(p);
            Assert.Equal(p == 0 ? h.LowestEquivalentValue(exact) : h.HighestEquivalentValue(exact), reported);
        }
        Assert.Equal(values.Length, h.TotalCount);
        Assert.Equal(h.HighestEquivalentValue(values[^1]), h.Max);
        double mean = values.Average();
        Assert.True(Math.Abs(h.Mean - mean) / mean < 0.001, $"mean {h.Mean} vs {mean}");
    }

    [Fact]
    public void ExpectedIntervalFillsInTheSamplesAStallHid()
    {
        var h = new HdrHistogram(1, 1_000_000, 3);
        h.RecordValueWithExpectedInterval(1000, 100);
        Assert.Equal(10, h.TotalCount); // 1000, 900, ..., 100
        Assert.Equal(100, h.ValueAtPercentile(0));
        Assert.Equal(500, h.ValueAtPercentile(50));
        var plain = new HdrHistogram(1, 1_000_000, 3);
        plain.RecordValueWithExpectedInterval(50, 100);
        Assert.Equal(1, plain.TotalCount);
    }

    [Fact]
    public void PercentileDistributionHasTheHgrmLayout()
    {
        var h = new HdrHistogram(1, 1_000_000, 3);
        for (long v = 1; v <= 10; v++) h.RecordValue(v);
        var w = new StringWriter();
        h.OutputPercentileDistribution(w, 5, 1.0);
        var lines = w.ToString().Split('\n');
        output.WriteLine(w.ToString());
        Assert.Equal("       Value     Percentile TotalCount 1/(1-Percentile)", lines[0]);
        Assert.Equal("", lines[1]);
        Assert.Equal("       1.000 0.000000000000          1           1.00", lines[2]);
        Assert.Equal("       5.000 0.500000000000          5           2.00", lines.First(l => l.Contains(" 0.500000000000 ")));
        Assert.Equal("      10.000 1.000000000000         10", lines.First(l => l.Contains(" 1.000000000000 ")));
        Assert.Equal("#[Mean    =        5.500, StdDeviation   =        2.872]", lines[^4]);
        Assert.Equal("#[Max     =       10.000, Total count    =           10]", lines[^3]);
        Assert.Equal("#[Buckets =           10, SubBuckets     =         2048]", lines[^2]);
        // Percentile levels never go down, and every data line parses as the plotters read it.
        double last = -1;
        foreach (var l in lines.Skip(2).Where(l => l.Length > 0 && !l.StartsWith('#')))
        {
            var parts = l.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            double pct = double.Parse(parts[1], CultureInfo.InvariantCulture);
            Assert.True(pct >= last);
            last = pct;
        }
        Assert.Equal(1.0, last);
    }

    [Fact]
    public void RecordingAllocatesNothing()
    {
        var h = new HdrHistogram(1, 3_600_000_000_000, 3);
        long x = 1;
        Assert.Equal(0, Allocations.Measure(() => { for (int i = 0; i < 100_000; i++) h.RecordValue(x = (x * 6364136223846793005 + 1442695040888963407) & 0xFFFFFFFFFF); }));
    }
}
