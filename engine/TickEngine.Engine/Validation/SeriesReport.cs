using TickEngine.Storage.Format;

namespace TickEngine.Engine.Validation;

/// <summary>
/// What validation found in one series (an exchange's symbol in one schema): rows, problems and observations by kind
/// with a few examples each, and a sample of receive − exchange times. Filled by one thread.
/// </summary>
public sealed class SeriesReport(string exchange, string symbol, SchemaKind kind)
{
    public string Exchange { get; } = exchange;
    public string Symbol { get; } = symbol;
    public SchemaKind Kind { get; } = kind;
    public long Rows { get; internal set; }
    public Dictionary<string, long> Problems { get; } = new();
    public Dictionary<string, long> Observations { get; } = new();
    public Dictionary<string, List<string>> Examples { get; } = new();
    internal readonly List<long> Skews = new();
    internal long SkewSeen;

    /// <summary>Trades the exchange sent as history at subscription (checked for their values only).</summary>
    public long History { get; internal set; }

    internal ValidationOptions Options { get; set; } = new();

    /// <summary>A defect: fails the run.</summary>
    public void Problem(string kind, string example) => Add(Problems, kind, example);

    /// <summary>Worth knowing, not a defect (fails the run under --strict).</summary>
    public void Observe(string kind, string example) => Add(Observations, kind, example);

    private void Add(Dictionary<string, long> counts, string kind, string example)
    {
        counts[kind] = counts.GetValueOrDefault(kind) + 1;
        if (!Examples.TryGetValue(kind, out var list)) Examples[kind] = list = new List<string>();
        if (list.Count < Options.MaxExamples) list.Add(example);
    }

    /// <summary>receive − exchange time over the rows that have both (a uniform sample of at most a million): min, median, p99, max; null when none.</summary>
    public Dictionary<string, long>? Skew()
    {
        if (Skews.Count == 0) return null;
        var a = Skews.ToArray();
        Array.Sort(a);
        return new Dictionary<string, long> { ["min"] = a[0], ["median"] = a[a.Length / 2], ["p99"] = a[Math.Min(a.Length - 1, (int)(a.Length * 0.99))], ["max"] = a[^1] };
    }
}
