using System.Globalization;

namespace TickEngine.Engine.Research;

/// <summary>
/// Order-entry and cancel latency: the time from a strategy's decision (at the receive time of the data it saw) to
/// the exchange acting on it (at exchange time). Fixed, or drawn (seeded, so a run repeats exactly) from a recorded
/// distribution: samples (the recording's own receive - exchange times), or an HdrHistogram <c>.hgrm</c> percentile
/// table.
/// </summary>
public abstract class LatencyModel
{
    /// <summary>An entry latency drawn (and recorded in <see cref="EntryDrawn"/>).</summary>
    public long EntryNs()
    {
        long v = DrawEntry();
        EntryDrawn.Record(v);
        return v;
    }

    /// <summary>A cancel latency drawn (and recorded in <see cref="CancelDrawn"/>).</summary>
    public long CancelNs()
    {
        long v = DrawCancel();
        CancelDrawn.Record(v);
        return v;
    }

    protected abstract long DrawEntry();
    protected abstract long DrawCancel();
    public abstract string Describe();
    /// <summary>The seed of a drawn model (null: fixed).</summary>
    public virtual int? Seed => null;

    /// <summary>Every latency this run actually drew, for the report.</summary>
    public DelayHistogram EntryDrawn { get; } = new();
    public DelayHistogram CancelDrawn { get; } = new();

    public static LatencyModel Fixed(long entryNs, long cancelNs) => new FixedLatency(entryNs, cancelNs);

    /// <summary>Entry and cancel latencies both drawn from <paramref name="samplesNs"/> (at least one, none negative).</summary>
    public static LatencyModel Drawn(IReadOnlyList<long> samplesNs, int seed, string source)
    {
        if (samplesNs.Count == 0) throw new ArgumentException($"{source}: no latency samples");
        if (samplesNs.Any(s => s < 0)) throw new ArgumentException($"{source}: negative latency samples (a receive clock behind the exchange's must be brought onto it first)");
        var sorted = samplesNs.Order().ToArray();
        return new DrawnLatency(sorted, seed, source);
    }

    /// <summary>The largest .hgrm file read.</summary>
    public const int MaxHgrmBytes = 4 << 20;

    /// <summary>
    /// Reads an HdrHistogram percentile distribution (<c>.hgrm</c>: "Value Percentile TotalCount 1/(1-Percentile)"
    /// rows) in <paramref name="unitNs"/> per value, and draws from it by its percentiles.
    /// </summary>
    public static LatencyModel FromHgrm(string path, double unitNs, int seed)
    {
        var values = new List<(double Value, double Percentile)>();
        int line = 0;
        // An .hgrm file is a few kilobytes: read at most MaxHgrmBytes (a device or a huge file is refused, never read whole).
        byte[] bytes;
        using (var fs = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1, FileOptions.SequentialScan))
        {
            var buffer = new byte[MaxHgrmBytes + 1];
            int n = 0, got;
            while (n < buffer.Length && (got = fs.Read(buffer, n, buffer.Length - n)) > 0) n += got;
            if (n > MaxHgrmBytes) throw new FormatException($"{path}: more than {MaxHgrmBytes / (1 << 20)} MB: not an .hgrm percentile file");
            bytes = buffer[..n];
        }
        foreach (var raw in System.Text.Encoding.UTF8.GetString(bytes).Split('\n'))
        {
            line++;
            var t = raw.Trim();
            if (t.Length == 0 || t.StartsWith('#') || t.StartsWith("Value", StringComparison.Ordinal)) continue;
            var parts = t.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);
            if (parts.Length < 2 || !double.TryParse(parts[0], NumberStyles.Float, CultureInfo.InvariantCulture, out double v) ||
                !double.TryParse(parts[1], NumberStyles.Float, CultureInfo.InvariantCulture, out double p))
                throw new FormatException($"{path}: line {line}: not a percentile row (value percentile count ...): '{raw}'");
            if (p is < 0 or > 1 || v < 0) throw new FormatException($"{path}: line {line}: percentile {p} or value {v} out of range");
            values.Add((v * unitNs, p));
        }
        if (values.Count == 0) throw new FormatException($"{path}: no percentile rows");
        return new PercentileLatency(values.ToArray(), seed, Path.GetFileName(path));
    }

    private sealed class FixedLatency(long entry, long cancel) : LatencyModel
    {
        protected override long DrawEntry() => entry;
        protected override long DrawCancel() => cancel;
        public override string Describe() => $"fixed: entry {entry / 1e6:0.###} ms, cancel {cancel / 1e6:0.###} ms";
    }

    private sealed class DrawnLatency(long[] sorted, int seed, string source) : LatencyModel
    {
        private readonly Random _random = new(seed);
        public override int? Seed => seed;
        protected override long DrawEntry() => sorted[_random.Next(sorted.Length)];
        protected override long DrawCancel() => sorted[_random.Next(sorted.Length)];
        public override string Describe() => $"drawn from {source}: {sorted.Length:N0} samples (p50 {sorted[sorted.Length / 2] / 1e6:0.###} ms, p99 {sorted[(int)((long)(sorted.Length - 1) * 99 / 100)] / 1e6:0.###} ms), seed {seed}";
    }

    private sealed class PercentileLatency((double Value, double Percentile)[] rows, int seed, string source) : LatencyModel
    {
        private readonly Random _random = new(seed);
        public override int? Seed => seed;
        private long Draw()
        {
            double u = _random.NextDouble();
            foreach (var (v, p) in rows) if (p >= u) return (long)v;
            return (long)rows[^1].Value;
        }
        protected override long DrawEntry() => Draw();
        protected override long DrawCancel() => Draw();
        public override string Describe() => $"drawn from {source} ({rows.Length} percentile rows), seed {seed}";
    }
}
