using BenchmarkDotNet.Attributes;
using Ours = TickEngine.Engine.Metrics.HdrHistogram;

namespace TickEngine.Benchmarks.Metrics;

/// <summary>
/// Recording into an HDR histogram (1 ns .. 1 h, 3 significant digits): latencies spread over six decades, as
/// a latency run records them. One operation = one value. Ours against the HdrHistogram 2.5.0 package (the
/// baseline, not adopted: README "Dependencies").
/// </summary>
[MemoryDiagnoser]
public class HdrHistogramBenchmarks
{
    private const int Values = 1 << 20;
    private const long Highest = 3_600_000_000_000;
    private readonly Ours _histogram = new(1, Highest, 3);
    private readonly global::HdrHistogram.LongHistogram _package = new(Highest, 3);
    private long[] _values = null!;

    [GlobalSetup]
    public void Setup()
    {
        var rng = new Random(42);
        _values = new long[Values];
        for (int i = 0; i < Values; i++) _values[i] = (long)Math.Pow(10, 2 + rng.NextDouble() * 6); // 100 ns .. 100 ms
    }

    [Benchmark(OperationsPerInvoke = Values, Baseline = true)]
    public long HdrHistogramPackage()
    {
        var h = _package;
        foreach (long v in _values) h.RecordValue(v);
        return h.TotalCount;
    }

    [Benchmark(OperationsPerInvoke = Values)]
    public long RecordValue()
    {
        var h = _histogram;
        foreach (long v in _values) h.RecordValue(v);
        return h.TotalCount;
    }
}
