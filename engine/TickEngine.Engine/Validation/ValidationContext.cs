using TickEngine.Storage.Format;

namespace TickEngine.Engine.Validation;

/// <summary>
/// What validation carries across segments and schemas: each instrument's stored session markers (to explain id
/// gaps), and what a schema's rules leave for a check after every segment was read (the bars computed from the
/// trades, the stored bars to hold to them). Segments are read status first, then trades, then the rest.
/// </summary>
public sealed class ValidationContext(ValidationOptions options)
{
    public ValidationOptions Options { get; } = options;

    private readonly Dictionary<(string, string, SchemaKind), SeriesReport> _series = new();
    private readonly Dictionary<(string, string), List<long>> _sessions = new();
    private readonly Dictionary<string, object> _shared = new(StringComparer.Ordinal);

    /// <summary>The report of a series (made on first use).</summary>
    public SeriesReport Series(string exchange, string symbol, SchemaKind kind)
    {
        if (!_series.TryGetValue((exchange, symbol, kind), out var s)) _series[(exchange, symbol, kind)] = s = new SeriesReport(exchange, symbol, kind) { Options = Options };
        return s;
    }

    public IEnumerable<SeriesReport> AllSeries => _series.Values;

    /// <summary>An instrument's stored connect and disconnect markers (receive times).</summary>
    public List<long> Sessions(string exchange, string symbol)
    {
        if (!_sessions.TryGetValue((exchange, symbol), out var l)) _sessions[(exchange, symbol)] = l = new List<long>();
        return l;
    }

    /// <summary>True when a connect or disconnect of the instrument was stored between the two receive times.</summary>
    public bool SessionBetween(string exchange, string symbol, long fromReceive, long toReceive)
    {
        if (!_sessions.TryGetValue((exchange, symbol), out var l)) return false;
        foreach (long t in l) if (t >= fromReceive && t <= toReceive) return true;
        return false;
    }

    /// <summary>State a schema's rules share across segments and with the final checks, by name (made on first use).</summary>
    public T Shared<T>(string name) where T : class, new()
    {
        if (!_shared.TryGetValue(name, out var o)) _shared[name] = o = new T();
        return (T)o;
    }
}
