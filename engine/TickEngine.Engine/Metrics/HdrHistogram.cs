using System.Globalization;
using System.Numerics;
using System.Runtime.CompilerServices;

namespace TickEngine.Engine.Metrics;

/// <summary>
/// A high-dynamic-range histogram with HdrHistogram's layout and math: values from
/// <see cref="LowestDiscernibleValue"/> to <see cref="HighestTrackableValue"/> are kept to
/// <see cref="SignificantValueDigits"/> decimal digits in buckets of sub-buckets (each bucket doubles the
/// range of the one before), so equivalence ranges, percentiles and the <c>.hgrm</c> percentile distribution match
/// what HdrHistogram computes for the same values. Recording is a few instructions and allocates nothing.
/// Not thread-safe: one writer (use one histogram per thread and <see cref="Add"/> them).
/// </summary>
public sealed class HdrHistogram
{
    private readonly long[] _counts;
    private readonly int _unitMagnitude;
    private readonly int _subBucketHalfCountMagnitude;
    private readonly int _subBucketHalfCount;
    private readonly long _subBucketMask;
    private readonly int _leadingZeroCountBase;
    private long _min = long.MaxValue;
    private long _max;

    public HdrHistogram(long lowestDiscernibleValue, long highestTrackableValue, int significantValueDigits)
    {
        if (lowestDiscernibleValue < 1) throw new ArgumentOutOfRangeException(nameof(lowestDiscernibleValue), "must be at least 1");
        if (highestTrackableValue < 2 * lowestDiscernibleValue) throw new ArgumentOutOfRangeException(nameof(highestTrackableValue), "must be at least twice the lowest discernible value");
        if (significantValueDigits is < 0 or > 5) throw new ArgumentOutOfRangeException(nameof(significantValueDigits), "must be 0..5");
        LowestDiscernibleValue = lowestDiscernibleValue;
        HighestTrackableValue = highestTrackableValue;
        SignificantValueDigits = significantValueDigits;
        long largestValueWithSingleUnitResolution = 2 * (long)Math.Pow(10, significantValueDigits);
        _unitMagnitude = (int)Math.Floor(Math.Log2(lowestDiscernibleValue));
        int subBucketCountMagnitude = (int)Math.Ceiling(Math.Log2(largestValueWithSingleUnitResolution));
        _subBucketHalfCountMagnitude = Math.Max(subBucketCountMagnitude, 1) - 1;
        SubBucketCount = 1 << (_subBucketHalfCountMagnitude + 1);
        _subBucketHalfCount = SubBucketCount / 2;
        _subBucketMask = ((long)SubBucketCount - 1) << _unitMagnitude;
        _leadingZeroCountBase = 64 - _unitMagnitude - _subBucketHalfCountMagnitude - 1;
        BucketCount = BucketsNeeded(highestTrackableValue);
        _counts = new long[(BucketCount + 1) * _subBucketHalfCount];
    }

    public long LowestDiscernibleValue { get; }
    public long HighestTrackableValue { get; }
    public int SignificantValueDigits { get; }
    public int BucketCount { get; }
    public int SubBucketCount { get; }
    public int CountsLength => _counts.Length;
    public long TotalCount { get; private set; }

    /// <summary>Values above <see cref="HighestTrackableValue"/> that were refused.</summary>
    public long Overflows { get; private set; }

    /// <summary>Records one value (values above the trackable range are counted in <see cref="Overflows"/>).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void RecordValue(long value) => RecordValueWithCount(value, 1);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void RecordValueWithCount(long value, long count)
    {
        if (value < 0) throw new ArgumentOutOfRangeException(nameof(value), "histogram values are not negative");
        int index = CountsIndex(value);
        if ((uint)index >= (uint)_counts.Length || value > HighestTrackableValue)
        {
            Overflows += count;
            return;
        }
        _counts[index] += count;
        TotalCount += count;
        if (value > _max) _max = value;
        if (value < _min && value != 0) _min = value;
    }

    /// <summary>
    /// Records <paramref name="value"/> and, when it exceeds <paramref name="expectedInterval"/>, the values a
    /// measurement that was not stalled would have seen (value − interval, value − 2·interval, ... down to the
    /// interval): HdrHistogram's correction for coordinated omission.
    /// </summary>
    public void RecordValueWithExpectedInterval(long value, long expectedInterval)
    {
        RecordValue(value);
        if (expectedInterval <= 0) return;
        for (long missing = value - expectedInterval; missing >= expectedInterval; missing -= expectedInterval) RecordValue(missing);
    }

    /// <summary>Adds every count of <paramref name="other"/> (same layout) to this histogram.</summary>
    public void Add(HdrHistogram other)
    {
        if (other.LowestDiscernibleValue != LowestDiscernibleValue || other.SignificantValueDigits != SignificantValueDigits || other.CountsLength > CountsLength)
            throw new ArgumentException("histograms of different layouts");
        for (int i = 0; i < other._counts.Length; i++) _counts[i] += other._counts[i];
        TotalCount += other.TotalCount;
        Overflows += other.Overflows;
        if (other._max > _max) _max = other._max;
        if (other._min < _min) _min = other._min;
    }

    public void Reset()
    {
        Array.Clear(_counts);
        TotalCount = 0;
        Overflows = 0;
        _max = 0;
        _min = long.MaxValue;
    }

    /// <summary>The largest value recorded, as its highest equivalent value (as HdrHistogram reports it).</summary>
    public long Max => _max == 0 ? 0 : HighestEquivalentValue(_max);

    public long Min => TotalCount == 0 || _min == long.MaxValue ? 0 : LowestEquivalentValue(_min);

    public long SizeOfEquivalentValueRange(long value)
    {
        int bucket = BucketIndex(value);
        int sub = SubBucketIndex(value, bucket);
        return 1L << (_unitMagnitude + (sub >= SubBucketCount ? bucket + 1 : bucket));
    }

    public long LowestEquivalentValue(long value)
    {
        int bucket = BucketIndex(value);
        return ValueFromIndex(bucket, SubBucketIndex(value, bucket));
    }

    public long HighestEquivalentValue(long value) => NextNonEquivalentValue(value) - 1;

    public long NextNonEquivalentValue(long value) => LowestEquivalentValue(value) + SizeOfEquivalentValueRange(value);

    public long MedianEquivalentValue(long value) => LowestEquivalentValue(value) + (SizeOfEquivalentValueRange(value) >> 1);

    public bool ValuesAreEquivalent(long a, long b) => LowestEquivalentValue(a) == LowestEquivalentValue(b);

    /// <summary>The value at a percentile (0..100), as HdrHistogram computes it.</summary>
    public long ValueAtPercentile(double percentile)
    {
        double requested = Math.Min(Math.Max(percentile, 0.0), 100.0);
        long countAtPercentile = Math.Max(1, (long)((requested / 100.0 * TotalCount) + 0.5));
        long total = 0;
        for (int i = 0; i < _counts.Length; i++)
        {
            total += _counts[i];
            if (total >= countAtPercentile)
            {
                long v = ValueFromIndex(i);
                return percentile == 0.0 ? LowestEquivalentValue(v) : HighestEquivalentValue(v);
            }
        }
        return 0;
    }

    public double Mean
    {
        get
        {
            if (TotalCount == 0) return 0;
            double total = 0;
            for (int i = 0; i < _counts.Length; i++)
                if (_counts[i] != 0) total += MedianEquivalentValue(ValueFromIndex(i)) * (double)_counts[i];
            return total / TotalCount;
        }
    }

    public double StdDeviation
    {
        get
        {
            if (TotalCount == 0) return 0;
            double mean = Mean, total = 0;
            for (int i = 0; i < _counts.Length; i++)
            {
                if (_counts[i] == 0) continue;
                double d = MedianEquivalentValue(ValueFromIndex(i)) - mean;
                total += d * d * _counts[i];
            }
            return Math.Sqrt(total / TotalCount);
        }
    }

    /// <summary>One step of the percentile iteration: the value reached, the percentile level, the count up to it.</summary>
    public readonly record struct PercentileStep(long Value, double Percentile, long TotalCountToValue);

    /// <summary>
    /// HdrHistogram's percentile iteration: reporting levels that halve the distance to 100 % every
    /// <paramref name="ticksPerHalfDistance"/> steps, with a last step at 100 %.
    /// </summary>
    public IEnumerable<PercentileStep> Percentiles(int ticksPerHalfDistance = 5)
    {
        long total = TotalCount;
        if (total == 0) yield break;
        double level = 0.0;
        bool reachedLast = false;
        int index = 0;
        long countToIndex = 0;
        bool fresh = true;
        while (true)
        {
            bool more = countToIndex < total;
            if (!more)
            {
                if (reachedLast) yield break;
                level = 100.0;
                reachedLast = true;
            }
            while (index < _counts.Length)
            {
                long countAtIndex = _counts[index];
                if (fresh)
                {
                    countToIndex += countAtIndex;
                    fresh = false;
                }
                if (countAtIndex != 0 && 100.0 * countToIndex / total >= level)
                {
                    yield return new PercentileStep(HighestEquivalentValue(ValueFromIndex(index)), level, countToIndex);
                    if (reachedLast) yield break; // that was the last step, at 100 %
                    long ticks = ticksPerHalfDistance * (long)Math.Pow(2, (long)(Math.Log(100.0 / (100.0 - level)) / Math.Log(2)) + 1);
                    level += 100.0 / ticks;
                    break;
                }
                index++;
                fresh = true;
            }
            if (index >= _counts.Length) yield break;
        }
    }

    /// <summary>Writes HdrHistogram's percentile distribution (the .hgrm layout) with values divided by <paramref name="scale"/>.</summary>
    public void OutputPercentileDistribution(TextWriter w, int ticksPerHalfDistance = 5, double scale = 1.0)
    {
        var inv = CultureInfo.InvariantCulture;
        int d = SignificantValueDigits;
        string valueFormat = "F" + d.ToString(inv);
        w.Write(string.Format(inv, "{0,12} {1,14} {2,10} {3,14}\n\n", "Value", "Percentile", "TotalCount", "1/(1-Percentile)"));
        foreach (var step in Percentiles(ticksPerHalfDistance))
        {
            string value = (step.Value / scale).ToString(valueFormat, inv).PadLeft(12);
            string pct = (step.Percentile / 100.0).ToString("F12", inv).PadLeft(2);
            string count = step.TotalCountToValue.ToString(inv).PadLeft(10);
            if (step.Percentile != 100.0)
                w.Write($"{value} {pct} {count} {(1.0 / (1.0 - step.Percentile / 100.0)).ToString("F2", inv).PadLeft(14)}\n");
            else
                w.Write($"{value} {pct} {count}\n");
        }
        w.Write($"#[Mean    = {(Mean / scale).ToString(valueFormat, inv).PadLeft(12)}, StdDeviation   = {(StdDeviation / scale).ToString(valueFormat, inv).PadLeft(12)}]\n");
        w.Write($"#[Max     = {(Max / scale).ToString(valueFormat, inv).PadLeft(12)}, Total count    = {TotalCount.ToString(inv).PadLeft(12)}]\n");
        w.Write($"#[Buckets = {BucketCount.ToString(inv).PadLeft(12)}, SubBuckets     = {SubBucketCount.ToString(inv).PadLeft(12)}]\n");
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private int CountsIndex(long value)
    {
        int bucket = BucketIndex(value);
        int sub = SubBucketIndex(value, bucket);
        return ((bucket + 1) << _subBucketHalfCountMagnitude) + (sub - _subBucketHalfCount);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private int BucketIndex(long value) => _leadingZeroCountBase - BitOperations.LeadingZeroCount((ulong)(value | _subBucketMask));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private int SubBucketIndex(long value, int bucket) => (int)((ulong)value >> (bucket + _unitMagnitude));

    private long ValueFromIndex(int bucket, int sub) => (long)sub << (bucket + _unitMagnitude);

    private long ValueFromIndex(int index)
    {
        int bucket = (index >> _subBucketHalfCountMagnitude) - 1;
        int sub = (index & (_subBucketHalfCount - 1)) + _subBucketHalfCount;
        if (bucket < 0)
        {
            sub -= _subBucketHalfCount;
            bucket = 0;
        }
        return ValueFromIndex(bucket, sub);
    }

    private int BucketsNeeded(long value)
    {
        long smallestUntrackable = (long)SubBucketCount << _unitMagnitude;
        int needed = 1;
        while (smallestUntrackable <= value)
        {
            if (smallestUntrackable > long.MaxValue / 2) return needed + 1;
            smallestUntrackable <<= 1;
            needed++;
        }
        return needed;
    }
}
