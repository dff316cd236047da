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
    public abstract long EntryNs();
    public abstract long CancelNs();
    public abstract string Describe();

    public static LatencyModel Fixed(long entryNs, long cancelNs) => new FixedLatency(entryNs, cancelNs);

    /// <summary>Entry and cancel latencies both drawn from <paramref name="samplesNs"/> (at least one, none negative).</summary>
    public static LatencyModel Drawn(IReadOnlyList<long> samplesNs, int seed, string source)
    {
        if (samplesNs.Count == 0) throw new ArgumentException($"{source}: no latency samples");
        var sorted = samplesNs.Select(s => Math.Max(0, s)).Order().ToArray();
        return new DrawnLatency(sorted, new Random(seed), source);
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
        return new PercentileLatency(values.ToArray(), new Random(seed), Path.GetFileName(path));
    }

    private sealed class FixedLatency(long entry, long cancel) : LatencyModel
    {
        public override long EntryNs() => entry;
        public override long CancelNs() => cancel;
        public override string Describe() => $"fixed: entry {entry / 1e6:0.###} ms, cancel {cancel / 1e6:0.###} ms";
    }

    private sealed class DrawnLatency(long[] sorted, Random random, string source) : LatencyModel
    {
        public override long EntryNs() => sorted[random.Next(sorted.Length)];
        public override long CancelNs() => sorted[random.Next(sorted.Length)];
        public override string Describe() => $"drawn from {source}: {sorted.Length:N0} samples, median {sorted[sorted.Length / 2] / 1e6:0.###} ms";
    }

    private sealed class PercentileLatency((double Value, double Percentile)[] rows, Random random, string source) : LatencyModel
    {
        private long Draw()
        {
            double u = random.NextDouble();
            foreach (var (v, p) in rows) if (p >= u) return (long)v;
            return (long)rows[^1].Value;
        }
        public override long EntryNs() => Draw();
        public override long CancelNs() => Draw();
        public override string Describe() => $"drawn from {source} ({rows.Length} percentile rows)";
    }
}
